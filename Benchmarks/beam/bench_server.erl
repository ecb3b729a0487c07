%% A plain gen_server holding a counter: the anchor of Arsenal's get_process_info, which reads a server's
%% info and its state (sys:get_state).
-module(bench_server).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2]).
init(Count) -> {ok, Count}.
handle_call(_Request, _From, Count) -> {reply, Count, Count}.
handle_cast(increment, Count) -> {noreply, Count + 1}.
