%% The supervisor callback module for runtime_bench: init/1 returns the flags and children it is given.
-module(bench_sup).
-behaviour(supervisor).
-export([init/1]).
init({Flags, Children}) -> {ok, {Flags, Children}}.
