%% BEAM's side of compare-with-beam: the same work as Sources/RuntimeBenchmarks/main.swift,
%% one line per metric, "<metric> <value>".
-module(runtime_bench).
-export([main/0, process_info_anchor/0, announcer_start/1, announcer_init/1, counter_start/0, counter_init/0]).

now_s() -> erlang:monotonic_time(nanosecond) / 1.0e9.

main() ->
    logger:set_primary_config(level, none),
    spawn_exit(),
    memory_per_process(),
    ping_pong(),
    message_rate(),
    restart_latency(),
    tree_lifecycle(),
    sandbox_anchor(),
    process_info_anchor(),
    halt(0).

spawn_exit() ->
    N = 100000, Parent = self(),
    T0 = now_s(),
    [spawn(fun() -> Parent ! done end) || _ <- lists:seq(1, N)],
    [receive done -> ok end || _ <- lists:seq(1, N)],
    io:format("spawn_exit_rate ~b~n", [round(N / (now_s() - T0))]).

memory_per_process() ->
    N = 100000,
    erlang:garbage_collect(),
    Before = erlang:memory(total),
    Pids = [spawn(fun() -> receive _ -> ok end end) || _ <- lists:seq(1, N)],
    After = erlang:memory(total),
    io:format("memory_per_process ~b~n", [round((After - Before) / N)]),
    [exit(P, kill) || P <- Pids].

ping_pong() ->
    N = 1000000, Me = self(),
    Echo = spawn(fun Loop() -> receive {ping, From} -> From ! pong, Loop(); stop -> ok end end),
    T0 = now_s(),
    pp(N, Echo, Me),
    io:format("ping_pong_rate ~b~n", [round(N / (now_s() - T0))]),
    Echo ! stop.
pp(0, _, _) -> ok;
pp(N, Echo, Me) -> Echo ! {ping, Me}, receive pong -> pp(N - 1, Echo, Me) end.

message_rate() ->
    N = 1000000, Me = self(),
    Sink = spawn(fun() -> sink(N), Me ! done end),
    T0 = now_s(),
    send_n(N, Sink),
    receive done -> ok end,
    io:format("message_rate ~b~n", [round(N / (now_s() - T0))]).
sink(0) -> ok;
sink(N) -> receive _ -> sink(N - 1) end.
send_n(0, _) -> ok;
send_n(N, P) -> P ! N, send_n(N - 1, P).

%% A gen_server-like worker (proc_lib, as gen_server is) that announces itself.
announcer_start(Probe) -> proc_lib:start_link(?MODULE, announcer_init, [Probe]).
announcer_init(Probe) ->
    proc_lib:init_ack({ok, self()}),
    Probe ! {started, self()},
    receive _ -> ok end.

restart_latency() ->
    Samples = 1000, Me = self(),
    {ok, Sup} = supervisor_start(#{strategy => one_for_one, intensity => Samples * 2, period => 3600},
        [#{id => worker, start => {?MODULE, announcer_start, [Me]}}]),
    First = receive {started, P} -> P end,
    Times = restart_loop(Samples, First, []),
    Sorted = lists:sort(Times),
    io:format("restart_latency_us ~.1f~n", [lists:nth(Samples div 2 + 1, Sorted)]),
    unlink(Sup), exit(Sup, shutdown).
restart_loop(0, _, Acc) -> Acc;
restart_loop(N, Pid, Acc) ->
    T0 = erlang:monotonic_time(nanosecond),
    exit(Pid, kill),
    receive {started, Next} ->
        T = (erlang:monotonic_time(nanosecond) - T0) / 1000.0,
        restart_loop(N - 1, Next, [T | Acc])
    end.

counter_start() -> proc_lib:start_link(?MODULE, counter_init, []).
counter_init() -> proc_lib:init_ack({ok, self()}), counter_loop(0).
counter_loop(N) -> receive {'$gen_cast', increment} -> counter_loop(N + 1); _ -> counter_loop(N) end.

tree_lifecycle() -> tree_cycles("tree_lifecycle_rate", "tree_memory_growth_pct").

%% Starts and stops a supervisor with 3 workers 1000 times (after 50 warm-up cycles); prints the rate
%% and the memory growth under the given metric names.
tree_cycles(RateName, GrowthName) ->
    Cycles = 1000,
    Spec = [#{id => list_to_atom("w" ++ integer_to_list(I)), start => {?MODULE, counter_start, []}} || I <- [1, 2, 3]],
    [tree_once(Spec) || _ <- lists:seq(1, 50)],
    erlang:garbage_collect(),
    Before = erlang:memory(total),
    T0 = now_s(),
    [tree_once(Spec) || _ <- lists:seq(1, Cycles)],
    Rate = Cycles / (now_s() - T0),
    erlang:garbage_collect(),
    After = erlang:memory(total),
    io:format("~s ~b~n", [RateName, round(Rate)]),
    io:format("~s ~.2f~n", [GrowthName, max(0.0, (After - Before) / Before * 100)]).
tree_once(Spec) ->
    {ok, Sup} = supervisor_start(#{strategy => one_for_one}, Spec),
    gen_server:stop(Sup).

%% Every benchmark supervisor uses bench_sup, whose init/1 returns the flags and children it is given.
supervisor_start(Flags, Children) ->
    supervisor:start_link(bench_sup, {Flags, Children}).

%% The anchors for the sandbox and Arsenal lines: BEAM has no sandboxes, so a sandbox's
%% create + destroy is compared with its plain tree lifecycle. Arsenal's get_process_info reads a server's
%% info and its state, so its anchor is the same work: erlang:process_info/1 plus sys:get_state/1 of a
%% gen_server. (The Arsenal layer's own overhead has no BEAM twin; compare-with-beam holds it to a goal.)
sandbox_anchor() -> tree_cycles("sandbox_lifecycle_rate", "sandbox_memory_growth_pct").

process_info_anchor() ->
    {ok, Pid} = gen_server:start(bench_server, 0, []),
    N = 20000,
    Once = fun() -> {erlang:process_info(Pid), sys:get_state(Pid)} end,
    [Once() || _ <- lists:seq(1, 1000)],
    T0 = erlang:monotonic_time(nanosecond),
    [Once() || _ <- lists:seq(1, N)],
    PerCall = (erlang:monotonic_time(nanosecond) - T0) / N / 1000.0,
    io:format("arsenal_get_process_info_us ~.2f~n", [PerCall]),
    gen_server:stop(Pid).
