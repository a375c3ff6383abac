#!/usr/bin/env escript
%% -*- erlang -*-
%%! +S 1:1
%% The Erlang/OTP side of bench/kernel: the same six measurements as bench/kernel/measure-*.ts,
%% against the real `supervisor` and `gen_server`, printed as one JSON object on stdout.
%%
%%   escript otp_bench.escript [calls=N] [casts=N] [starts=N] [restarts=N] [idle=N]
%%                             [dynamic=N] [rounds=N]
%%
%% One scheduler (+S 1:1): Node runs the kernel on one thread, so both sides get one core.
%% Each measurement runs `rounds` times; the best round is kept (best of 3, as in
%% reference/runtime.md). The logger is silenced: the TypeScript kernel's default logger is
%% silent too, so neither side pays for formatting crash reports.
%% Requires only Erlang/OTP (written on OTP 25).
-module(otp_bench).
-mode(compile).
-export([main/1, init/1, handle_call/3, handle_cast/2, handle_info/2, start_worker/0,
         start_named/1]).

-define(VICTIM, bench_victim).
%% Restarts per supervisor in the restart measurement (see restart_latency/1).
-define(RESTART_BATCH, 50).

main(Args) ->
    Sizes = parse_args(Args, #{calls => 20000, casts => 100000, starts => 2000,
                               restarts => 2000, idle => 10000, dynamic => 10000, rounds => 3}),
    process_flag(trap_exit, true),
    ok = logger:set_primary_config(level, none),
    Rounds = maps:get(rounds, Sizes),
    {CallP50, CallP99} = best_latency(Rounds, fun() -> call_rtt(maps:get(calls, Sizes)) end),
    Cast = best(Rounds, fun erlang:max/2, fun() -> cast_throughput(maps:get(casts, Sizes)) end),
    Start = best(Rounds, fun erlang:min/2, fun() -> start_cost(maps:get(starts, Sizes)) end),
    {RestartP50, RestartP99} =
        best_latency(Rounds, fun() -> restart_latency(maps:get(restarts, Sizes)) end),
    Mem = best(Rounds, fun erlang:min/2, fun() -> idle_memory(maps:get(idle, Sizes)) end),
    {StartMs, StopMs, CpuMs} =
        best_triple(Rounds, fun() -> start_stop(maps:get(dynamic, Sizes)) end),
    Fields = [{otp_release, {str, erlang:system_info(otp_release)}},
              {erts, {str, erlang:system_info(version)}},
              {schedulers, erlang:system_info(schedulers_online)},
              {call_p50_us, CallP50}, {call_p99_us, CallP99},
              {cast_per_s, Cast},
              {start_us, Start},
              {restart_p50_us, RestartP50}, {restart_p99_us, RestartP99},
              {idle_bytes_per_actor, Mem},
              {dynamic_start_ms, StartMs}, {dynamic_stop_ms, StopMs},
              {dynamic_total_ms, StartMs + StopMs},
              {dynamic_cpu_ms, CpuMs}],
    io:format("~s~n", [json(Fields)]).

parse_args([], Acc) -> Acc;
parse_args([Arg | Rest], Acc) ->
    case string:split(Arg, "=") of
        [K, V] ->
            Key = list_to_existing_atom(K),
            true = maps:is_key(Key, Acc),
            parse_args(Rest, Acc#{Key := list_to_integer(V)});
        _ ->
            io:format(standard_error, "otp_bench: bad argument ~s (want key=N)~n", [Arg]),
            erlang:halt(2)
    end.

%% ------------------------------------------------------------------ best of N

best(Rounds, Pick, Fun) ->
    lists:foldl(Pick, Fun(), [Fun() || _ <- lists:seq(2, Rounds)]).

%% The round with the lowest p50 (its p99 comes with it: one distribution, not two minima).
best_latency(Rounds, Fun) ->
    hd(lists:sort([Fun() || _ <- lists:seq(1, Rounds)])).

%% The round with the lowest start + stop total.
best_triple(Rounds, Fun) ->
    Runs = [Fun() || _ <- lists:seq(1, Rounds)],
    hd(lists:sort(fun({A1, B1, _}, {A2, B2, _}) -> A1 + B1 =< A2 + B2 end, Runs)).

%% ------------------------------------------------------------------ the worker (gen_server)

start_worker() -> gen_server:start_link(?MODULE, worker, []).
start_named(Name) -> gen_server:start_link({local, Name}, ?MODULE, worker, []).

%% init/1 serves both behaviours: the supervisor's callback and the worker's.
init({sup, Flags, Specs}) -> {ok, {Flags, Specs}};
init(worker) -> {ok, 0}.

handle_call(ping, _From, N) -> {reply, pong, N};
handle_call(get, _From, N) -> {reply, N, N}.

handle_cast(inc, N) -> {noreply, N + 1};
handle_cast(crash, _N) -> exit(boom).

handle_info(_Msg, N) -> {noreply, N}.

worker_spec(Id, Start) ->
    #{id => Id, start => Start, restart => permanent, shutdown => 5000, type => worker}.

start_sup(Flags, Specs) ->
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, Flags, Specs}),
    Sup.

%% The supervisor's parent (this process) asks it to shut down, as a parent supervisor would.
stop_sup(Sup) ->
    exit(Sup, shutdown),
    receive {'EXIT', Sup, _} -> ok end.

one_worker_sup(Start) ->
    start_sup(#{strategy => one_for_one, intensity => 1, period => 5},
              [worker_spec(echo, Start)]).

dynamic_sup() ->
    start_sup(#{strategy => simple_one_for_one, intensity => 1, period => 5},
              [worker_spec(echo, {?MODULE, start_worker, []})]).

%% ------------------------------------------------------------------ measurements

now_ns() -> erlang:monotonic_time(nanosecond).

%% 1. gen_server:call round trip to a supervised worker: {P50, P99} in µs.
call_rtt(N) ->
    Sup = one_worker_sup({?MODULE, start_worker, []}),
    [{echo, Pid, worker, _}] = supervisor:which_children(Sup),
    [pong = gen_server:call(Pid, ping) || _ <- lists:seq(1, min(N, 2000))],
    Samples = [begin
                   T0 = now_ns(),
                   pong = gen_server:call(Pid, ping),
                   now_ns() - T0
               end || _ <- lists:seq(1, N)],
    stop_sup(Sup),
    percentiles(Samples).

%% 2. gen_server:cast throughput to one worker (msgs/s), synchronised by a final call.
cast_throughput(N) ->
    Sup = one_worker_sup({?MODULE, start_worker, []}),
    [{echo, Pid, worker, _}] = supervisor:which_children(Sup),
    T0 = now_ns(),
    cast_loop(Pid, N),
    N = gen_server:call(Pid, get, infinity),
    Elapsed = now_ns() - T0,
    stop_sup(Sup),
    N / (Elapsed / 1.0e9).

cast_loop(_Pid, 0) -> ok;
cast_loop(Pid, K) -> gen_server:cast(Pid, inc), cast_loop(Pid, K - 1).

%% 3. supervisor:start_child on a simple_one_for_one supervisor: µs per child.
start_cost(N) ->
    Sup = dynamic_sup(),
    T0 = now_ns(),
    start_children(Sup, N),
    Elapsed = now_ns() - T0,
    stop_sup(Sup),
    Elapsed / N / 1000.

start_children(_Sup, 0) -> ok;
start_children(Sup, K) -> {ok, _} = supervisor:start_child(Sup, []), start_children(Sup, K - 1).

%% 4. crash -> the restarted child (found by its registered name) answers a call: {P50, P99} µs.
%% A fresh supervisor every ?RESTART_BATCH restarts keeps its restart history (which add_restart
%% walks on every restart) as short as in real use instead of growing with N.
restart_latency(N) ->
    percentiles(restart_batches(N, [])).

restart_batches(0, Acc) -> Acc;
restart_batches(N, Acc) ->
    Batch = min(N, ?RESTART_BATCH),
    Sup = start_sup(#{strategy => one_for_one, intensity => ?RESTART_BATCH, period => 1},
                    [worker_spec(victim, {?MODULE, start_named, [?VICTIM]})]),
    Samples = [restart_once() || _ <- lists:seq(1, Batch)],
    stop_sup(Sup),
    restart_batches(N - Batch, Samples ++ Acc).

restart_once() ->
    Old = whereis(?VICTIM),
    T0 = now_ns(),
    gen_server:cast(Old, crash),
    New = await_new(Old, T0 + 5000000000),
    pong = gen_server:call(New, ping),
    now_ns() - T0.

await_new(Old, Deadline) ->
    case whereis(?VICTIM) of
        Pid when is_pid(Pid), Pid =/= Old -> Pid;
        _ ->
            case now_ns() > Deadline of
                true -> error(restart_timeout);
                false -> erlang:yield(), await_new(Old, Deadline)
            end
    end.

%% 5. erlang:memory(processes) delta per idle supervised worker (bytes), after a full GC.
idle_memory(N) ->
    Sup = dynamic_sup(),
    M0 = settled_process_memory(),
    start_children(Sup, N),
    M1 = settled_process_memory(),
    stop_sup(Sup),
    (M1 - M0) / N.

settled_process_memory() ->
    [erlang:garbage_collect(P) || P <- erlang:processes()],
    erlang:memory(processes).

%% 6. a simple_one_for_one supervisor: start it and N children, then stop it:
%% {StartMs, StopMs, CpuMs}; CPU is statistics(runtime): all runtime threads, ms resolution.
start_stop(N) ->
    {Cpu0, _} = erlang:statistics(runtime),
    T0 = now_ns(),
    Sup = dynamic_sup(),
    start_children(Sup, N),
    T1 = now_ns(),
    stop_sup(Sup),
    T2 = now_ns(),
    {Cpu1, _} = erlang:statistics(runtime),
    {(T1 - T0) / 1.0e6, (T2 - T1) / 1.0e6, Cpu1 - Cpu0}.

%% ------------------------------------------------------------------ helpers

percentiles(SamplesNs) ->
    Sorted = list_to_tuple(lists:sort(SamplesNs)),
    {rank(Sorted, 0.50) / 1000, rank(Sorted, 0.99) / 1000}.

%% Nearest-rank percentile (the same rule as bench/kernel/stats.ts).
rank(Sorted, Q) ->
    Size = tuple_size(Sorted),
    element(max(1, min(Size, ceil(Q * Size))), Sorted).

json(Fields) ->
    Parts = [io_lib:format("\"~s\":~s", [K, value(V)]) || {K, V} <- Fields],
    ["{", lists:join(",", Parts), "}"].

value({str, S}) -> io_lib:format("\"~s\"", [S]);
value(V) when is_integer(V) -> integer_to_list(V);
value(V) when is_float(V) -> float_to_list(V, [{decimals, 3}, compact]).
