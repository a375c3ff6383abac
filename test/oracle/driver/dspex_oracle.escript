#!/usr/bin/env escript
%% -*- erlang -*-
%% dspex's OTP oracle: reads a supervision scenario (.scn, the DSL described in
%% test/oracle/README.md) and plays it against Erlang/OTP's own `supervisor`,
%% printing the numbered event log on stdout. The TypeScript kernel must print
%% the same text for the same scenario (test/oracle/lib/runner.ts).
%%
%%   escript test/oracle/driver/dspex_oracle.escript FILE.scn
%%
%% Exit status: 0 done; 2 the scenario does not parse or validate
%% (`driver: FILE:LINE: message` on stderr); 3 a run-time scenario error
%% (`driver: line N: message` and the part's log so far on stderr); 4 the
%% watchdog fired. Needs only Erlang/OTP (checked on OTP 25, Debian erlang-base).
-module(dspex_oracle).
-mode(compile).
-export([main/1, init/1, start_worker/2, worker_boot/4, start_subtree/3, log/2]).

-define(JOURNAL, dspex_oracle_journal).
-define(QUIET_MS, 50).
-define(WATCHDOG_MS, 120000).
-define(SUP_KEYS, [strategy, intensity, period, auto_shutdown]).
-define(SPEC_KEYS, [restart, shutdown, significant]).
-define(FAKE_KEYS, [fail_on, ignore_on, deaf]).
-define(CHILD_KEYS, ?SPEC_KEYS ++ ?FAKE_KEYS ++ [parent]).
-define(SUPCHILD_KEYS, ?SUP_KEYS ++ ?SPEC_KEYS ++ [fail_on, ignore_on, parent]).
-define(KEYWORDS, ['after', 'and', 'andalso', 'band', 'begin', 'bnot', 'bor', 'bsl', 'bsr',
                   'bxor', 'case', 'catch', 'cond', 'div', 'else', 'end', 'fun', 'if', 'let',
                   'maybe', 'not', 'of', 'or', 'orelse', 'receive', 'rem', 'try', 'when', 'xor']).

%% One part of a scenario: the root's flags, the declared tree, the actions.
-record(part, {name = none, line, flags = #{}, nodes = [], steps = []}).
%% A declared child: kind worker | sup; spec = the OTP child-spec keys given;
%% opts = the fake child's behaviour; flags = a child supervisor's own flags.
-record(node, {kind, id, parent = root, line, spec = #{}, opts = #{}, flags = #{},
               template = false}).
%% State of a part while it plays: owner maps an id (or dynamic tag) to the
%% supervisor it was declared or started under.
-record(run, {root, nodes, pools, depth, owner, templates}).
%% The journal's state: printed lines (newest first), incarnation counters,
%% latest pid per id, what each watched pid is, and a start sequence.
-record(journal, {lines = [], gen = #{}, latest = #{}, who = #{}, seq = 0}).

%% ----------------------------------------------------------------------
%% command line
%% ----------------------------------------------------------------------
main([Path]) ->
    Text = case file:read_file(Path) of
               {ok, Bytes} -> binary_to_list(Bytes);
               {error, Why} -> die(2, "cannot read ~s: ~p", [Path, Why])
           end,
    Parts = try read_scenario(Text)
            catch throw:{scn, Ln, Msg} -> die(2, "~s:~p: ~s", [Path, Ln, Msg])
            end,
    process_flag(trap_exit, true),
    arm_watchdog(self()),
    capture_supervisor_reports(),
    lists:foreach(fun play/1, Parts);
main(_) ->
    die(2, "usage: escript dspex_oracle.escript FILE.scn", []).

die(Status, Fmt, Args) ->
    io:format(standard_error, "driver: " ++ Fmt ++ "~n", Args),
    case whereis(?JOURNAL) of
        undefined -> ok;
        _ ->
            io:format(standard_error, "driver: log so far:~n", []),
            catch print_lines(standard_error, ask(lines))
    end,
    erlang:halt(Status).

arm_watchdog(Main) ->
    spawn(fun() ->
                  Ref = erlang:monitor(process, Main),
                  receive
                      {'DOWN', Ref, process, _, _} -> ok
                  after ?WATCHDOG_MS ->
                          die(4, "watchdog: scenario still running after ~p ms", [?WATCHDOG_MS])
                  end
          end).

%% ----------------------------------------------------------------------
%% reading a scenario
%% ----------------------------------------------------------------------
bad(Ln, Msg) -> throw({scn, Ln, Msg}).

read_scenario(Text) ->
    case statements(split_lines(Text, [], []), 1) of
        [] -> bad(1, "empty scenario");
        [{_, ["part" | _]} | _] = Stmts ->
            [part(Name, Ln, Body) || {Name, Ln, Body} <- group_parts(Stmts)];
        Stmts -> [part(none, 1, Stmts)]
    end.

split_lines([], Cur, Acc) -> lists:reverse([lists:reverse(Cur) | Acc]);
split_lines([$\n | Rest], Cur, Acc) -> split_lines(Rest, [], [lists:reverse(Cur) | Acc]);
split_lines([C | Rest], Cur, Acc) -> split_lines(Rest, [C | Cur], Acc).

%% Numbered statements: the words of each line before any `#`, blank lines dropped.
statements([], _) -> [];
statements([Line | More], N) ->
    Code = lists:takewhile(fun(C) -> C =/= $# end, Line),
    case string:tokens(Code, " \t\r") of
        [] -> statements(More, N + 1);
        Words -> [{N, Words} | statements(More, N + 1)]
    end.

group_parts([]) -> [];
group_parts([{Ln, ["part", Name]} | Rest]) ->
    Name =/= [] andalso lists:all(fun(C) -> lower(C) orelse digit(C) orelse C =:= $_ end, Name)
        orelse bad(Ln, "bad part name " ++ Name),
    {Body, Next} = lists:splitwith(fun({_, [W | _]}) -> W =/= "part" end, Rest),
    [{Name, Ln, Body} | group_parts(Next)];
group_parts([{Ln, _} | _]) ->
    bad(Ln, "'part' takes exactly one name").

part(_Name, PartLn, []) -> bad(PartLn, "part without statements");
part(Name, _, [{Ln, ["sup" | Words]} | Rest]) ->
    P0 = #part{name = Name, line = Ln, flags = attributes(Ln, Words, ?SUP_KEYS)},
    P1 = lists:foldl(fun statement/2, P0, Rest),
    P = P1#part{nodes = lists:reverse(P1#part.nodes), steps = lists:reverse(P1#part.steps)},
    check_pools(P),
    P;
part(_, _, [{Ln, _} | _]) -> bad(Ln, "the first statement must be 'sup'").

statement({Ln, ["sup" | _]}, _) ->
    bad(Ln, "only one 'sup' per part");
statement({Ln, [Kind, IdText | Words]}, P = #part{steps = [], nodes = Nodes})
  when Kind =:= "child"; Kind =:= "supchild" ->
    Id = ident(Ln, IdText),
    Id =:= root andalso bad(Ln, "'root' is reserved for the root supervisor"),
    lists:keymember(Id, #node.id, Nodes) andalso bad(Ln, "duplicate id " ++ IdText),
    Node = case Kind of
               "child" ->
                   worker_node(Ln, Id, attributes(Ln, Words, ?CHILD_KEYS));
               "supchild" ->
                   A = attributes(Ln, Words, ?SUPCHILD_KEYS),
                   W = worker_node(Ln, Id, maps:without(?SUP_KEYS, A)),
                   W#node{kind = sup, flags = maps:with(?SUP_KEYS, A)}
           end,
    Parent = Node#node.parent,
    case strategy_of(Parent, P, Ln) of
        simple_one_for_one ->
            Kind =:= "supchild"
                andalso bad(Ln, "a simple_one_for_one template must be a 'child'"),
            lists:keymember(Parent, #node.parent, Nodes)
                andalso bad(Ln, "a simple_one_for_one supervisor has exactly one child line");
        _ -> ok
    end,
    P#part{nodes = [Node | Nodes]};
statement({Ln, [Kind | _]}, _) when Kind =:= "child"; Kind =:= "supchild" ->
    bad(Ln, Kind ++ ": needs an id (and must come before the actions)");
statement({Ln, Words}, P = #part{steps = Steps}) ->
    P#part{steps = [step(Ln, Words) | Steps]}.

strategy_of(root, #part{flags = F}, _) -> maps:get(strategy, F, one_for_one);
strategy_of(Parent, #part{nodes = Nodes}, Ln) ->
    case [F || #node{kind = sup, id = Id, flags = F} <- Nodes, Id =:= Parent] of
        [F] -> maps:get(strategy, F, one_for_one);
        [] -> bad(Ln, "unknown parent " ++ atom_to_list(Parent) ++ " (declare the supchild first)")
    end.

%% Every simple_one_for_one supervisor has exactly one child line (its template).
check_pools(#part{line = RootLn, flags = RootFlags, nodes = Nodes}) ->
    Sups = [{root, RootFlags, RootLn}
            | [{Id, F, Ln} || #node{kind = sup, id = Id, flags = F, line = Ln} <- Nodes]],
    lists:foreach(
      fun({Sup, F, Ln}) ->
              Pool = maps:get(strategy, F, one_for_one) =:= simple_one_for_one,
              Count = length([x || #node{parent = Pa} <- Nodes, Pa =:= Sup]),
              Pool andalso Count =/= 1 andalso
                  bad(Ln, "simple_one_for_one supervisor " ++ atom_to_list(Sup)
                      ++ " needs exactly one child line")
      end, Sups).

worker_node(Ln, Id, A) ->
    Spec = maps:with(?SPEC_KEYS, A),
    Opts = maps:with(?FAKE_KEYS, A),
    maps:get(deaf, Opts, false) andalso maps:get(shutdown, Spec, 5000) =:= infinity
        andalso bad(Ln, "deaf=true with shutdown=infinity would never terminate"),
    #node{kind = worker, id = Id, parent = maps:get(parent, A, root), line = Ln,
          spec = Spec, opts = Opts}.

step(Ln, ["crash", Id, Reason]) -> {Ln, crash, [ident(Ln, Id), reason(Ln, Reason)]};
step(Ln, ["sleep", Ms]) -> {Ln, sleep, [number(Ln, Ms, 0)]};
step(Ln, [Op, Id | Words])
  when Op =:= "terminate_child"; Op =:= "restart_child"; Op =:= "delete_child" ->
    {Ln, list_to_atom(Op), [ident(Ln, Id), attributes(Ln, Words, [parent])]};
step(Ln, ["start_child", IdText | Words]) ->
    A = attributes(Ln, Words, ?CHILD_KEYS),
    Id = ident(Ln, IdText),
    Id =:= root andalso bad(Ln, "'root' is reserved for the root supervisor"),
    {Ln, start_child, [Id, A]};
step(Ln, [Query | Sup])
  when (Query =:= "which_children" orelse Query =:= "count_children" orelse Query =:= "alive"),
       length(Sup) =< 1 ->
    {Ln, list_to_atom(Query), [case Sup of [] -> root; [S] -> ident(Ln, S) end]};
step(Ln, ["final"]) -> {Ln, final, []};
step(Ln, ["stop"]) -> {Ln, stop, []};
step(Ln, Words) -> bad(Ln, "cannot parse statement: " ++ string:join(Words, " ")).

%% key=value attributes, each allowed key at most once, in any order.
attributes(Ln, Words, Allowed) ->
    lists:foldl(fun(Word, Acc) -> attribute(Ln, Word, Allowed, Acc) end, #{}, Words).

attribute(Ln, Word, Allowed, Acc) ->
    case lists:splitwith(fun(C) -> C =/= $= end, Word) of
        {[_ | _] = K, [$=, _ | _] = [$= | V]} ->
            lists:member(K, [atom_to_list(Key) || Key <- Allowed])
                orelse bad(Ln, "attribute not allowed here: " ++ K),
            Key = list_to_atom(K),
            maps:is_key(Key, Acc) andalso bad(Ln, "attribute given twice: " ++ K),
            Acc#{Key => value(Ln, Key, V)};
        _ -> bad(Ln, "expected key=value, got " ++ Word)
    end.

value(Ln, strategy, V) ->
    choice(Ln, V, [one_for_one, one_for_all, rest_for_one, simple_one_for_one]);
value(Ln, intensity, V) -> number(Ln, V, 0);
value(Ln, period, V) -> number(Ln, V, 1);
value(Ln, auto_shutdown, V) -> choice(Ln, V, [never, any_significant, all_significant]);
value(Ln, restart, V) -> choice(Ln, V, [permanent, transient, temporary]);
value(_, shutdown, "brutal_kill") -> brutal_kill;
value(_, shutdown, "infinity") -> infinity;
value(Ln, shutdown, V) -> number(Ln, V, 0);
value(Ln, Flag, V) when Flag =:= significant; Flag =:= deaf -> choice(Ln, V, [true, false]);
value(Ln, List, V) when List =:= fail_on; List =:= ignore_on ->
    [number(Ln, X, 1) || X <- string:split(V, ",", all)];
value(Ln, parent, V) -> ident(Ln, V).

choice(Ln, V, Atoms) ->
    case lists:filter(fun(A) -> atom_to_list(A) =:= V end, Atoms) of
        [A] -> A;
        [] -> bad(Ln, "bad value " ++ V)
    end.

number(Ln, Text, Min) ->
    Text =/= [] andalso lists:all(fun digit/1, Text)
        orelse bad(Ln, "expected a non-negative integer, got " ++ Text),
    N = list_to_integer(Text),
    N >= Min orelse bad(Ln, "value below " ++ integer_to_list(Min) ++ ": " ++ Text),
    N.

ident(Ln, [C | Rest] = Text) ->
    lower(C) andalso lists:all(fun(X) -> lower(X) orelse digit(X) orelse X =:= $_ end, Rest)
        orelse bad(Ln, "bad id " ++ Text ++ " (want [a-z][a-z0-9_]*)"),
    Atom = list_to_atom(Text),
    lists:member(Atom, ?KEYWORDS) andalso bad(Ln, "reserved word " ++ Text),
    Atom.

lower(C) -> C >= $a andalso C =< $z.
digit(C) -> C >= $0 andalso C =< $9.
word_char(C) -> lower(C) orelse digit(C) orelse (C >= $A andalso C =< $Z) orelse C =:= $_.

%% term := atom | integer | '{' [term {',' term}] '}' | '[' [term {',' term}] ']'
reason(Ln, Text) ->
    case catch read_term(Text) of
        {T, []} -> T;
        _ -> bad(Ln, "bad term " ++ Text)
    end.

read_term([${ | Rest]) ->
    {Items, After} = read_items(Rest, $}),
    {list_to_tuple(Items), After};
read_term([$[ | Rest]) -> read_items(Rest, $]);
read_term([C | _] = Text) when C >= $a, C =< $z ->
    {Word, After} = lists:splitwith(fun word_char/1, Text),
    Atom = list_to_atom(Word),
    lists:member(Atom, ?KEYWORDS) andalso error(reserved),
    {Atom, After};
read_term([C | _] = Text) when C >= $0, C =< $9; C =:= $- ->
    {Digits, After} = lists:splitwith(fun(X) -> digit(X) orelse X =:= $- end, Text),
    {list_to_integer(Digits), After};
read_term(_) -> error(bad_term).

read_items([Close | After], Close) -> {[], After};
read_items(Text, Close) -> read_items(Text, Close, []).

read_items(Text, Close, Acc) ->
    case read_term(Text) of
        {T, [$, | More]} -> read_items(More, Close, [T | Acc]);
        {T, [Close | After]} -> {lists:reverse([T | Acc]), After};
        _ -> error(bad_term)
    end.

%% ----------------------------------------------------------------------
%% printing terms (~0p without spaces; pids as <pid>, OTP's child record as <child>)
%% ----------------------------------------------------------------------
show(T) -> lists:flatten(render(T)).

render(T) when is_pid(T) -> "<pid>";
render(T) when is_atom(T) -> io_lib:write_atom(T);
render(T) when is_integer(T) -> integer_to_list(T);
render(T) when is_tuple(T), tuple_size(T) =:= 9, element(1, T) =:= child -> "<child>";
render(T) when is_tuple(T) -> [${, commas(tuple_to_list(T)), $}];
render(T) when is_list(T) -> [$[, commas(T), $]];
render(T) when is_map(T) ->
    ["#{", lists:join($,, [[render(K), " => ", render(V)] || {K, V} <- lists:sort(maps:to_list(T))]),
     "}"];
render(T) -> io_lib:format("~0p", [T]).

commas(Items) -> lists:join($,, [render(I) || I <- Items]).

print_lines(Device, Lines) ->
    lists:foldl(fun(Line, N) ->
                        io:format(Device, "~s ~s~n", [line_no(N), Line]),
                        N + 1
                end, 1, Lines).

line_no(N) when N < 10 -> [$0 | integer_to_list(N)];
line_no(N) -> integer_to_list(N).

%% ----------------------------------------------------------------------
%% the journal: one process through which every line is written synchronously,
%% so the printed order is the causal order. It also numbers incarnations and
%% monitors what was started (it writes `killed` and `down` lines).
%% ----------------------------------------------------------------------
open_journal() ->
    case whereis(?JOURNAL) of
        undefined -> ok;
        Old -> unregister(?JOURNAL), exit(Old, kill)
    end,
    register(?JOURNAL, spawn(fun() -> journal(#journal{}) end)).

ask(Request) ->
    ?JOURNAL ! {self(), Request},
    receive {?JOURNAL, Answer} -> Answer end.

note(Fmt, Args) -> ask({line, lists:flatten(io_lib:format(Fmt, Args))}).

journal(J = #journal{lines = Lines, gen = Gen, latest = Latest, who = Who, seq = Seq}) ->
    receive
        {From, {line, Text}} ->
            From ! {?JOURNAL, ok},
            journal(J#journal{lines = [Text | Lines]});
        {From, {next_incarnation, Id}} ->
            N = maps:get(Id, Gen, 0) + 1,
            From ! {?JOURNAL, N},
            journal(J#journal{gen = Gen#{Id => N}});
        {From, {started, Pid, Kind, Id, N}} ->
            erlang:monitor(process, Pid),
            From ! {?JOURNAL, ok},
            journal(J#journal{latest = Latest#{Id => Pid}, who = Who#{Pid => {Kind, Id, N, Seq}},
                              seq = Seq + 1});
        {'DOWN', _, process, Pid, Why} ->
            Extra = case maps:get(Pid, Who) of
                        {worker, Id, N, _} when Why =:= killed -> [fmt("killed ~s#~p", [show(Id), N])];
                        {worker, _, _, _} -> [];
                        {sup, Id, N, _} -> [fmt("down ~s#~p ~s", [show(Id), N, show(Why)])]
                    end,
            journal(J#journal{lines = Extra ++ Lines});
        {From, {who, Pid}} ->
            From ! {?JOURNAL, maps:get(Pid, Who, undefined)},
            journal(J);
        {From, {latest, Id}} ->
            From ! {?JOURNAL, maps:get(Id, Latest, undefined)},
            journal(J);
        {From, child_supervisors} ->
            From ! {?JOURNAL, [{Id, Pid} || {Id, Pid} <- maps:to_list(Latest),
                                            element(1, maps:get(Pid, Who)) =:= sup]},
            journal(J);
        {From, lines} ->
            From ! {?JOURNAL, lists:reverse(Lines)},
            journal(J)
    end.

fmt(Fmt, Args) -> lists:flatten(io_lib:format(Fmt, Args)).

%% OTP's supervisor error reports, written from inside the supervisor that
%% reports, so they are ordered with everything else it does.
capture_supervisor_reports() ->
    _ = logger:remove_handler(default),
    ok = logger:set_primary_config(level, all),
    ok = logger:add_handler(dspex_oracle, ?MODULE, #{level => all}).

log(#{msg := {report, #{label := {supervisor, Context}, report := Report}}}, _Config)
  when Context =/= progress ->
    try
        {reason, Reason} = lists:keyfind(reason, 1, Report),
        {offender, Offender} = lists:keyfind(offender, 1, Report),
        Id = proplists:get_value(id, Offender, '?'),
        note("sup_report ~s ~s ~s", [show(Context), show(Id), show(Reason)])
    catch _:_ -> ok
    end;
log(_, _) -> ok.

%% ----------------------------------------------------------------------
%% the tree: supervisor callback, fake workers, child supervisors
%% ----------------------------------------------------------------------
init({Flags, Specs}) -> {ok, {Flags, Specs}}.

outcome(N, Opts) ->
    case lists:member(N, maps:get(fail_on, Opts, [])) of
        true -> fail;
        false ->
            case lists:member(N, maps:get(ignore_on, Opts, [])) of
                true -> ignore;
                false -> run
            end
    end.

%% A worker's start function; runs inside its supervisor.
start_worker(Id, Opts) ->
    N = ask({next_incarnation, Id}),
    case outcome(N, Opts) of
        fail -> note("start_failed ~s#~p nope", [show(Id), N]), {error, nope};
        ignore -> note("start_ignored ~s#~p", [show(Id), N]), ignore;
        run ->
            Sup = self(),
            Pid = spawn_link(?MODULE, worker_boot, [Id, N, Opts, Sup]),
            receive {booted, Pid} -> ok end,
            ask({started, Pid, worker, Id, N}),
            note("start ~s#~p", [show(Id), N]),
            {ok, Pid}
    end.

worker_boot(Id, N, Opts, Sup) ->
    process_flag(trap_exit, true),
    Sup ! {booted, self()},
    worker_loop(Id, N, maps:get(deaf, Opts, false), Sup).

worker_loop(Id, N, Deaf, Sup) ->
    receive
        {crash, Reason} ->
            note("exit ~s#~p ~s", [show(Id), N, show(Reason)]),
            exit(Reason);
        {'EXIT', Sup, Reason} when Deaf ->
            note("ignored ~s#~p ~s", [show(Id), N, show(Reason)]),
            worker_loop(Id, N, Deaf, Sup);
        {'EXIT', Sup, Reason} ->
            note("stop ~s#~p ~s", [show(Id), N, show(Reason)]),
            exit(Reason)
    end.

%% A child supervisor's start function; runs inside its parent supervisor.
start_subtree(Id, Opts, {Flags, Specs}) ->
    N = ask({next_incarnation, Id}),
    case outcome(N, Opts) of
        fail -> note("start_failed ~s#~p nope", [show(Id), N]), {error, nope};
        ignore -> note("start_ignored ~s#~p", [show(Id), N]), ignore;
        run ->
            case supervisor:start_link(?MODULE, {Flags, Specs}) of
                {ok, Pid} ->
                    ask({started, Pid, sup, Id, N}),
                    note("start ~s#~p", [show(Id), N]),
                    {ok, Pid};
                {error, Why} ->
                    note("start_failed ~s#~p ~s", [show(Id), N, show(Why)]),
                    {error, Why}
            end
    end.

specs_under(Sup, Nodes) -> [spec(N, Nodes) || N = #node{parent = P} <- Nodes, P =:= Sup].

spec(#node{kind = worker, id = Id, spec = Spec, opts = Opts, template = Template}, _) ->
    Start = case Template of
                true -> {?MODULE, start_worker, []};
                false -> {?MODULE, start_worker, [Id, Opts]}
            end,
    maps:merge(#{id => Id, start => Start}, Spec);
spec(#node{kind = sup, id = Id, spec = Spec, opts = Opts, flags = Flags}, Nodes) ->
    Start = {?MODULE, start_subtree, [Id, Opts, {Flags, specs_under(Id, Nodes)}]},
    maps:merge(#{id => Id, type => supervisor, start => Start}, Spec).

%% ----------------------------------------------------------------------
%% playing a part
%% ----------------------------------------------------------------------
play(#part{name = Name, flags = Flags, nodes = Declared, steps = Steps}) ->
    drain(),
    open_journal(),
    Pools = [Sup || {Sup, F} <- [{root, Flags} | [{Id, F} || #node{kind = sup, id = Id, flags = F}
                                                                  <- Declared]],
                    maps:get(strategy, F, one_for_one) =:= simple_one_for_one],
    Nodes = [N#node{template = lists:member(P, Pools)} || N = #node{parent = P} <- Declared],
    Run = #run{nodes = Nodes, pools = Pools, depth = depths(Nodes),
               owner = maps:from_list([{Id, P} || #node{id = Id, parent = P} <- Nodes]),
               templates = maps:from_list([{P, N} || N = #node{parent = P, template = true}
                                                         <- Nodes])},
    case supervisor:start_link(?MODULE, {Flags, specs_under(root, Nodes)}) of
        {ok, Root} ->
            perform(Steps, Run#run{root = Root});
        {error, Why0} = Result ->
            note("start_link_result ~s", [show(Result)]),
            %% OTP 25 leaves the root's EXIT in our mailbox; newer releases consume it.
            Why = receive {'EXIT', _, W} -> W after 500 -> Why0 end,
            note("sup_exit ~s", [show(Why)]);
        Other ->
            note("start_link_result ~s", [show(Other)])
    end,
    case Name of
        none -> ok;
        _ -> io:format("-- part ~s --~n", [Name])
    end,
    print_lines(standard_io, ask(lines)),
    ok.

drain() ->
    receive _ -> drain() after 0 -> ok end.

%% Nesting depth of every child supervisor (the root is 0).
depths(Nodes) ->
    Parent = maps:from_list([{Id, P} || #node{id = Id, parent = P} <- Nodes]),
    DepthOf = fun Of(root) -> 0; Of(Id) -> 1 + Of(maps:get(Id, Parent)) end,
    maps:from_list([{Id, DepthOf(Id)} || #node{kind = sup, id = Id} <- Nodes]).

perform([], Run) -> stop_root(Run);
perform([{Ln, Op, Args} | More], Run = #run{root = Root}) ->
    put(line, Ln),
    case act(Op, Args, Run) of
        stopped -> ok;
        {next, Run1} ->
            case is_process_alive(Root) of
                true -> perform(More, Run1);
                false ->
                    receive {'EXIT', Root, Why} -> note("sup_exit ~s", [show(Why)])
                    after 10000 -> oops("root supervisor gone without an EXIT", [])
                    end
            end
    end.

oops(Fmt, Args) -> die(3, "line ~p: " ++ Fmt, [get(line) | Args]).

act(crash, [Id, Reason], Run) ->
    Pid = case ask({latest, Id}) of
              undefined -> oops("crash: ~s has never run", [Id]);
              P -> P
          end,
    case ask({who, Pid}) of
        {worker, _, _, _} -> ok;
        _ -> oops("crash: ~s is a supervisor; only workers can be crashed", [Id])
    end,
    Ref = erlang:monitor(process, Pid),
    Pid ! {crash, Reason},
    receive
        {'DOWN', Ref, process, _, noproc} -> oops("crash: ~s is not running", [Id]);
        {'DOWN', Ref, process, _, _} -> ok
    after 10000 -> oops("crash: ~s did not exit", [Id])
    end,
    settle(Run),
    {next, Run};
act(sleep, [Ms], Run) ->
    timer:sleep(Ms),
    settle(Run),
    {next, Run};
act(Op, [Id, A], Run = #run{owner = Owner, pools = Pools})
  when Op =:= terminate_child; Op =:= restart_child; Op =:= delete_child ->
    Sup = maps:get(parent, A, maps:get(Id, Owner, root)),
    SupPid = supervisor_pid(Sup, Run),
    Target = case lists:member(Sup, Pools) andalso ask({latest, Id}) of
                 Pid when is_pid(Pid) -> Pid;
                 _ -> Id
             end,
    Result = supervisor:Op(SupPid, Target),
    note("result ~s ~s ~s", [Op, show(Id), show(Result)]),
    settle(Run),
    {next, Run};
act(start_child, [Id, A], Run = #run{owner = Owner}) ->
    Sup = maps:get(parent, A, root),
    SupPid = supervisor_pid(Sup, Run),
    Arg = case maps:find(Sup, Run#run.templates) of
              {ok, Template} -> dynamic_args(Id, Sup, A, Template, Owner);
              error -> static_spec(Id, Sup, A, Owner)
          end,
    Result = supervisor:start_child(SupPid, Arg),
    note("result start_child ~s ~s", [show(Id), show(Result)]),
    settle(Run),
    {next, Run#run{owner = Owner#{Id => Sup}}};
act(which_children, [Sup], Run) ->
    note("which_children ~s~s", [show(Sup), listing(Sup, Run)]),
    {next, Run};
act(count_children, [Sup], Run) ->
    note("count_children ~s ~s", [show(Sup), show(supervisor:count_children(supervisor_pid(Sup, Run)))]),
    {next, Run};
act(alive, [Sup], Run = #run{root = Root, depth = Depth}) ->
    Sup =:= root orelse maps:is_key(Sup, Depth) orelse oops("alive: ~s is not a supervisor", [Sup]),
    Alive = case Sup of
                root -> is_process_alive(Root);
                _ -> case ask({latest, Sup}) of
                         undefined -> false;
                         Pid -> is_process_alive(Pid)
                     end
            end,
    note("alive ~s ~s", [show(Sup), show(Alive)]),
    {next, Run};
act(final, [], Run = #run{root = Root}) ->
    note("final children~s", [listing(root, Run)]),
    note("final counts ~s", [show(supervisor:count_children(Root))]),
    stop_root(Run);
act(stop, [], Run) ->
    stop_root(Run).

%% Extra start arguments of a dynamic child of a simple_one_for_one supervisor.
dynamic_args(Tag, Sup, A, #node{spec = TSpec, opts = TOpts}, Owner) ->
    case maps:keys(maps:with(?SPEC_KEYS, A)) of
        [] -> ok;
        Fixed -> oops("start_child on simple_one_for_one ~s: ~p come from the template", [Sup, Fixed])
    end,
    maps:is_key(Tag, Owner) andalso oops("start_child: tag ~s already used", [Tag]),
    Opts = maps:merge(TOpts, maps:with(?FAKE_KEYS, A)),
    maps:get(deaf, Opts, false) andalso maps:get(shutdown, TSpec, 5000) =:= infinity
        andalso oops("deaf child with shutdown=infinity", []),
    [Tag, Opts].

%% The child spec a `start_child` line adds to an ordinary supervisor.
static_spec(Id, Sup, A, Owner) ->
    case maps:find(Id, Owner) of
        {ok, Other} when Other =/= Sup -> oops("start_child: id ~s belongs to ~s", [Id, Other]);
        _ -> ok
    end,
    #node{spec = Spec, opts = Opts} =
        try worker_node(get(line), Id, A)
        catch throw:{scn, _, Msg} -> oops("start_child: ~s", [Msg])
        end,
    maps:merge(#{id => Id, start => {?MODULE, start_worker, [Id, Opts]}}, Spec).

stop_root(#run{root = Root}) ->
    exit(Root, shutdown),
    receive {'EXIT', Root, Why} -> note("sup_exit ~s", [show(Why)])
    after 60000 -> oops("root supervisor did not stop", [])
    end,
    stopped.

supervisor_pid(root, #run{root = Root}) -> Root;
supervisor_pid(Sup, #run{depth = Depth}) ->
    maps:is_key(Sup, Depth) orelse oops("~s is not a supervisor", [Sup]),
    case ask({latest, Sup}) of
        undefined -> oops("supervisor ~s is not running", [Sup]);
        Pid ->
            is_process_alive(Pid) orelse oops("supervisor ~s is not running", [Sup]),
            Pid
    end.

%% which_children items in start order (a simple_one_for_one pool: by the time
%% each current incarnation started, processes before empty entries).
listing(Sup, Run = #run{pools = Pools}) ->
    Children = supervisor:which_children(supervisor_pid(Sup, Run)),
    Ordered = case lists:member(Sup, Pools) of
                  false -> lists:reverse(Children);
                  true -> [C || {_, C} <- lists:keysort(1, [{start_key(C), C} || C <- Children])]
              end,
    lists:flatten([[$\s | item(C)] || C <- Ordered]).

start_key({_, Pid, _, _}) when is_pid(Pid) -> {0, element(4, ask({who, Pid}))};
start_key(_) -> {1, 0}.

item({Id, Pid, _, _}) when is_pid(Pid) ->
    case ask({who, Pid}) of
        {_, Tag, N, _} -> fmt("~s#~p", [show(Tag), N]);
        undefined -> fmt("~s=<pid>", [show(Id)])
    end;
item({Id, Other, _, _}) -> fmt("~s=~s", [show(Id), show(Other)]).

%% ----------------------------------------------------------------------
%% settling: the action is over when every live supervisor, deepest first and
%% the root last, has answered a synchronous call and has an empty mailbox,
%% and the set of live supervisors did not change meanwhile.
%% ----------------------------------------------------------------------
settle(Run) ->
    timer:sleep(?QUIET_MS),
    settle(Run, 500).

settle(_, 0) -> oops("supervision tree did not settle", []);
settle(Run, Rounds) ->
    Before = live_supervisors(Run),
    lists:foreach(fun(Pid) -> catch sys:get_state(Pid, 60000) end, Before),
    After = live_supervisors(Run),
    Idle = lists:all(fun(Pid) ->
                             case process_info(Pid, message_queue_len) of
                                 {message_queue_len, Len} -> Len =:= 0;
                                 undefined -> true
                             end
                     end, After),
    case Idle andalso After =:= Before of
        true -> ok;
        false -> timer:sleep(10), settle(Run, Rounds - 1)
    end.

live_supervisors(#run{root = Root, depth = Depth}) ->
    Subs = [{maps:get(Id, Depth), Pid} || {Id, Pid} <- ask(child_supervisors),
                                          is_process_alive(Pid)],
    [Pid || {_, Pid} <- lists:reverse(lists:sort(Subs))] ++ [Root || is_process_alive(Root)].
