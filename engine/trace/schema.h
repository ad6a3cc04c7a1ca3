// engine/trace/schema.h — THE event schema: one row per EventKind. Everything
// else about a kind is derived from this table:
//   - the EventKind enum itself (event.h), in this order (the numbers are the
//     recording format: append new kinds before the bookkeeping ones only if
//     old recordings need not be read, else at the end);
//   - its name (to_string / event_kind_from_string) and whether it is gated
//     (is_gated), its family and its timeline role (kinds.h: info(kind));
//   - the typed emitters and decoders (ev.h):
//         trace::ev::PollRegister{.conn = id, .fd = fd, .events = EPOLLIN}.emit();
//         auto r = trace::ev::PollRegister::decode(e);   // r.fd, r.events
//   - the Perfetto export's argument names and how each value is shown;
//   - the table of kinds in docs/trace.md (a test renders it and compares).
//
// Why an X-macro and not a constexpr array: the typed emitters need one
// struct per kind whose members are the argument names, and the mapping
// "this name is a0" must be written once. A constexpr array can hold the
// names as strings, but not make members or functions from them; the
// emitters would be a second hand-written copy that could drift. The macro
// is expanded in three places only (event.h, kinds.h, ev.h), each a few lines.
//
// A row:  KIND(Name, Family, TimelineRole, Span, Gate, "label", "meaning", fields)
//   Family        who emits it / which part of the fold handles it (kinds.h)
//   TimelineRole  what it does on its timeline lane: Begins/Ends `Span`, or a
//                 mark (Tick, Alarm, …), or nothing (Instant)
//   Gate          Gated: a decision point that waits for the gate's token in
//                 gated mode (gate.h); Free otherwise
//   "label"       the name the export shows
//   fields        CONN(meaning) REQ(meaning) GREEN(meaning): the ids it carries
//                 (without GREEN, `green` is the greenlet that emitted it, ev.h);
//                 A0(name, Type, meaning) A1(name, Type, meaning): its
//                 arguments. Type says how to show the value (kinds.h ArgType).
//
// Plain text; no code.
#pragma once

// clang-format off
#define MINICORN_TRACE_KINDS(KIND, CONN, REQ, GREEN, A0, A1)                                                         \
    /* --- the arbiter (master) --- */                                                                                \
    KIND(ArbiterStart, Arbiter, Instant, None, Free, "arbiter start", "the master is listening",                     \
         A0(workers, Int, "workers wanted"))                                                                          \
    KIND(ArbiterStop, Arbiter, Instant, None, Free, "arbiter stop",                                                   \
         "the master has stopped its workers and exits",                                                              \
         A0(status, Int, "exit status"))                                                                              \
    KIND(SignalReceived, Arbiter, Alarm, None, Free, "signal received",                                               \
         "the loop popped a signal from its queue; its handle_<name>() runs",                                         \
         A0(signal, Signal, "signal number") A1(queue_left, Int, "signals left in the queue"))                       \
    KIND(SignalHandled, Arbiter, Instant, None, Free, "signal handled", "its handle_<name>() returned",               \
         A0(signal, Signal, "signal number"))                                                                         \
    KIND(WorkerSpawn, Arbiter, Alarm, None, Free, "spawn_worker", "forked a worker",                                  \
         A0(pid, Int, "worker pid") A1(age, Int, "worker age"))                                                       \
    KIND(WorkerTimeout, Arbiter, Alarm, None, Free, "WORKER TIMEOUT", "WORKER TIMEOUT: a worker's heartbeat is too old", \
         A0(pid, Int, "worker pid") A1(silent_ms, Int, "ms since its last heartbeat"))                               \
    KIND(KillSent, Arbiter, Alarm, None, Free, "kill",                                                                \
         "sent a signal to a worker: TERM (retire), ABRT (timeout), KILL, QUIT, USR1",                                \
         A0(pid, Int, "pid") A1(signal, Signal, "signal number"))                                                     \
    KIND(WorkerReaped, Arbiter, Alarm, None, Free, "reaped", "waitpid collected a worker",                            \
         A0(pid, Int, "pid") A1(status, ExitStatus, "exit code, or -signal when a signal killed it"))                \
    KIND(WorkerCount, Arbiter, Instant, None, Free, "workers", "manage_workers saw a new count",                       \
         A0(live, Int, "live workers") A1(wanted, Int, "workers wanted (num_workers)"))                              \
    KIND(ListenerOpen, Arbiter, Instant, None, Free, "listen", "a listening socket",                                  \
         A0(fd, Int, "listen fd") A1(port, Int, "port"))                                                              \
    KIND(AcceptQueueSample, Arbiter, Sample, None, Free, "accept queue",                                              \
         "TCP_INFO on the listener: 20 times a second by the master, and at every accept by a worker",                \
         A0(length, Int, "connections waiting") A1(backlog, Int, "backlog in force"))                                \
    /* --- every worker --- */                                                                                        \
    KIND(WorkerBoot, Worker, Instant, None, Free, "boot", "the child starts init_process()",                          \
         A0(age, Int, "worker age") A1(model, Model, "worker model (ModelId)"))                                       \
    KIND(WorkerBooted, Worker, Instant, None, Free, "booted", "the app is loaded; run() starts", )                    \
    KIND(WorkerExit, Worker, Instant, None, Free, "exit", "\"Worker exiting\"",                                       \
         A0(code, Int, "exit code"))                                                                                  \
    KIND(Heartbeat, Worker, Tick, None, Free, "heartbeat", "notify()",                                                \
         A0(engine_ms, Int, "engine time (ms)"))                                                                      \
    KIND(SignalCaught, Worker, Alarm, None, Free, "signal caught",                                                    \
         "a worker's handler runs (handle_exit, handle_quit, handle_abort, ...)",                                    \
         A0(signal, Signal, "signal number"))                                                                         \
    /* --- the sync worker's loop: wait, accept --- */                                                                \
    KIND(SelectWait, WorkerLoop, Begins, Wait, Gated, "select",                                                       \
         "sync: select() on the listeners and the signal pipe begins",                                                \
         A0(timeout_ms, Int, "timeout (ms)"))                                                                         \
    KIND(SelectWake, WorkerLoop, Ends, Wait, Free, "select wake", "select() returned",                               \
         A0(ready, Int, "ready fds (0: timeout)") A1(interrupted, Bool, "a signal interrupted it"))                  \
    KIND(AcceptAttempt, WorkerLoop, Begins, Accept, Gated, "accept", "a non-blocking accept()",                       \
         A0(listen_fd, Int, "listen fd"))                                                                             \
    KIND(Accepted, Connection, Ends, Accept, Free, "connection",                                                      \
         "it got a connection (the peer port is the client's local port)",                                           \
         CONN("the new connection") A0(peer_port, Int, "peer port") A1(listen_fd, Int, "listen fd"))                 \
    KIND(AcceptEagain, WorkerLoop, Ends, Accept, Free, "EAGAIN",                                                      \
         "nothing waiting, or another worker won the race (the thundering herd's losers)",                           \
         A0(error, Int, "errno (EAGAIN, ECONNABORTED, EMFILE, ...)"))                                                 \
    /* --- a connection's phases, in every model --- */                                                               \
    KIND(ReadStart, Connection, Begins, Read, Gated, "read", "reading the request begins",                           \
         CONN("the connection"))                                                                                      \
    KIND(ReadDone, Connection, Ends, Read, Free, "read done", "a whole request is in, or the read ended",             \
         CONN("the connection") A0(bytes, Int, "bytes read in total")                                                 \
         A1(cut, Bool, "the read was cut (EOF, reset, parse error)"))                                                 \
    KIND(Parsed, Connection, Instant, None, Free, "parsed", "a request object exists",                               \
         CONN("the connection") REQ("the new request") A0(http, HttpVersion, "HTTP version (11 for 1.1)")            \
         A1(body_bytes, Int, "body bytes"))                                                                           \
    KIND(ParseFailed, Connection, Ends, Read, Free, "parse failed", "gunicorn's error page, or a silent close",       \
         CONN("the connection") A0(status, Int, "HTTP status sent (0: none)") A1(error, ParseError, "ParseErrorKind")) \
    KIND(HandlerStart, Connection, Begins, Handle, Gated, "handle", "the application is called",                     \
         CONN("the connection") REQ("the request"))                                                                   \
    KIND(HandlerEnd, Connection, Ends, Handle, Free, "handler end", "the application returned a response",           \
         CONN("the connection") REQ("the request") A0(status, Int, "HTTP status")                                     \
         A1(raised, Bool, "the app raised"))                                                                          \
    KIND(WriteStart, Connection, Begins, Write, Gated, "write", "writing the response begins",                       \
         CONN("the connection") REQ("the request"))                                                                   \
    KIND(WriteDone, Connection, Ends, Write, Free, "write done", "the response is written",                          \
         CONN("the connection") REQ("the request") A0(bytes, Int, "bytes written")                                    \
         A1(peer_gone, Bool, "the peer was gone"))                                                                    \
    KIND(Close, Connection, EndsConnection, None, Gated, "close", "the connection is closed",                         \
         CONN("the connection") A0(requests, Int, "requests served on it"))                                          \
    /* --- threads and pools --- */                                                                                   \
    KIND(ThreadStart, Threads, Instant, None, Free, "thread start", "an OS thread starts",                           \
         A0(role, ThreadRole, "ThreadRole"))                                                                          \
    KIND(ThreadExit, Threads, Instant, None, Free, "thread exit", "an OS thread ends", )                              \
    KIND(PoolSubmit, Threads, Instant, None, Gated, "pool submit", "gthread: a connection is handed to the pool",    \
         CONN("the connection") A0(queue, Int, "queue length after"))                                                 \
    KIND(PoolStart, Threads, Begins, Read, Free, "pool task",                                                         \
         "a pool thread takes the connection (its handle() begins by reading)",                                      \
         CONN("the connection"))                                                                                      \
    KIND(PoolFinish, Threads, Instant, None, Free, "pool finish", "the pool thread is done with it",                 \
         CONN("the connection") A0(keep_alive, Bool, "kept alive"))                                                   \
    /* --- pollers --- */                                                                                             \
    KIND(PollRegister, Poller, Instant, None, Free, "poll register", "an fd joins the poll set, or changes interest", \
         CONN("the connection (0: a listener, a pipe)") GREEN("the greenlet that waits on it (hub), if any")          \
         A0(fd, Int, "fd") A1(events, Int, "EPOLLIN/EPOLLOUT mask"))  \
    KIND(PollUnregister, Poller, Instant, None, Free, "poll unregister", "an fd leaves the poll set",               \
         CONN("the connection (0: a listener, a pipe)") GREEN("the greenlet that waited on it (hub), if any")         \
         A0(fd, Int, "fd"))                                           \
    KIND(PollWait, Poller, Begins, Wait, Gated, "poll", "the poller waits",                                          \
         A0(timeout_ms, Int, "timeout (ms)") A1(fds, Int, "registered fds"))                                          \
    KIND(PollWake, Poller, Ends, Wait, Free, "poll wake", "the poller returned",                                     \
         A0(ready, Int, "ready fds") A1(interrupted, Bool, "a signal interrupted it"))                                                                                 \
    KIND(FuturesWait, Poller, Begins, Wait, Free, "futures wait",                                                     \
         "gthread at worker_connections: blocks on running requests, no polling",                                     \
         A0(timeout_ms, Int, "timeout (ms)") A1(outstanding, Int, "requests outstanding"))                           \
    KIND(KeepAlivePark, Connection, Instant, None, Gated, "keep-alive park",                                          \
         "the connection waits for its next request",                                                                 \
         CONN("the connection") A0(deadline_ms, Int, "deadline (engine ms)"))                                        \
    KIND(KeepAliveResume, Connection, Instant, None, Free, "keep-alive resume", "its next request is arriving",      \
         CONN("the connection"))                                                                                      \
    /* --- greenlets --- */                                                                                           \
    KIND(GreenSpawn, Green, Instant, None, Free, "green spawn", "a greenlet is made",                                 \
         CONN("the connection it serves, if any") GREEN("the new greenlet") A0(parent, Int, "parent greenlet"))                                                \
    KIND(GreenSwitch, Green, Switch, None, Gated, "green switch", "a greenlet runs",                                  \
         CONN("the connection it serves, if any") GREEN("the greenlet switched to")                                    \
         A0(from, Int, "the greenlet switched from"))                              \
    KIND(GreenPark, Green, Begins, Parked, Free, "green park", "a greenlet waits on an fd or a timer",               \
         CONN("the connection it serves, if any") GREEN("the greenlet")                                                \
         A0(fd, Int, "fd (-1: a timer or an event)") A1(events, Int, "EPOLLIN/EPOLLOUT mask"))             \
    KIND(GreenWake, Green, Ends, Parked, Free, "green wake", "a parked greenlet is ready",                            \
         CONN("the connection it serves, if any") GREEN("the greenlet") A0(fd, Int, "fd (-1: none)")                  \
         A1(why, Int, "0 ready, 1 deadline passed, 2 cancelled, killed or interrupted"))                                                                     \
    KIND(GreenExit, Green, Ends, Parked, Free, "green exit", "a greenlet ends",                                      \
         CONN("the connection it served, if any") GREEN("the greenlet") A0(how, Int, "0 returned, 1 raised, 2 killed"))                                                                                       \
    /* --- the simulated GIL --- */                                                                                   \
    KIND(GilWait, Gil, Begins, Blocked, Free, "GIL wait", "a thread waits for the GIL",                              \
         A0(holder, Int, "the holder's tid"))                                                                         \
    KIND(GilAcquire, Gil, Ends, Blocked, Free, "GIL acquire", "a thread holds the GIL",                              \
         A0(waited_ns, Int, "ns waited"))                                                                             \
    KIND(GilRelease, Gil, Instant, None, Free, "GIL release", "a thread lets the GIL go",                            \
         A0(reason, Int, "0 voluntary, 1 forced by a drop request, 2 let go at the closed gate"))                                                                \
    /* --- event loops (tornado's IOLoop, the asyncio worker's hub) --- */                                            \
    KIND(LoopPhase, Loop, Phase, None, Free, "loop phase", "an event loop enters a numbered phase of its iteration",  \
         A0(phase, LoopPhase, "LoopPhaseId (timers, callbacks, poll, dispatch)")                                      \
         A1(items, Int, "items in it (due timers, ready callbacks, registered fds, ready fds)"))                      \
    KIND(TimerAdd, Loop, Instant, None, Free, "timer add", "a timer joins the loop's heap",                           \
         CONN("the connection of the greenlet it wakes, if any") GREEN("the greenlet it wakes (hub), if any")          \
         A0(timer, Int, "timer id (per process)") A1(deadline_ms, Int, "deadline (engine ms)"))                       \
    KIND(TimerFire, Loop, Instant, None, Free, "timer fire", "a timer left the heap and runs",                        \
         CONN("the connection of the greenlet it wakes, if any") GREEN("the greenlet it wakes (hub), if any")          \
         A0(timer, Int, "timer id"))                                                                                  \
    KIND(TimerCancel, Loop, Instant, None, Free, "timer cancel", "a timer left the heap unrun",                      \
         CONN("the connection of the greenlet it would wake, if any") GREEN("that greenlet (hub), if any")             \
         A0(timer, Int, "timer id"))                                                                                  \
    KIND(CallbackQueued, Loop, Instant, None, Free, "queue callback", "the loop's ready list grows",                 \
         CONN("the connection it serves, if any") GREEN("the greenlet made ready (hub), if any")                       \
         A0(ready, Int, "ready callbacks after it")                          \
         A1(callback, LoopCallback, "LoopCallback kind"))                                                             \
    KIND(CallbackRun, Loop, Instant, None, Free, "run callback", "a callback is taken from the ready list",          \
         CONN("the connection it serves, if any") GREEN("the greenlet it runs (hub), if any")                          \
         A0(ready, Int, "ready callbacks left")                              \
         A1(callback, LoopCallback, "LoopCallback kind"))                                                             \
    /* --- the built-in client (minicorn load); conn/req are the client's own ids --- */                              \
    KIND(ClientStart, Client, Instant, None, Free, "client start", "minicorn load starts",                           \
         A0(virtual_users, Int, "virtual users (closed loop), or 0") A1(rate, Int, "rate per s (open loop), or 0"))  \
    KIND(ClientConnectStart, Client, ClientStep, None, Gated, "client connect", "connect() begins",                   \
         CONN("the client's connection") A0(vu, Int, "virtual user index") A1(role, ClientRole, "ClientRole"))       \
    KIND(ClientConnected, Client, ClientStep, None, Free, "client connected",                                         \
         "the handshake is done: the server's Accepted peer_port is this port",                                      \
         CONN("the client's connection") A0(local_port, Int, "local port") A1(fd, Int, "fd"))                        \
    KIND(ClientSendStart, Client, ClientStep, None, Gated, "client send", "the request goes out",                     \
         CONN("the client's connection") REQ("the client's request (sent as X-Request-Id)")                           \
         A0(bytes, Int, "bytes to send") A1(mix_index, Int, "index of the path in the mix"))                         \
    KIND(ClientSendEnd, Client, ClientStep, None, Free, "client sent", "the request is sent",                        \
         CONN("the client's connection") REQ("the client's request") A0(bytes, Int, "bytes sent"))                   \
    KIND(ClientFirstByte, Client, ClientStep, None, Gated, "client first byte",                                        \
         "the first byte of the response arrived",                                                                    \
         CONN("the client's connection") REQ("the client's request"))                                                 \
    KIND(ClientDone, Client, ClientStep, None, Free, "client done", "the whole response is in",                      \
         CONN("the client's connection") REQ("the client's request") A0(status, Int, "HTTP status")                  \
         A1(latency_us, Int, "latency (us)"))                                                                         \
    KIND(ClientError, Client, ClientStep, None, Gated, "client error",                                                 \
         "connect / read / write / timeout / status / reset",                                                         \
         CONN("the client's connection (0: none)") REQ("the client's request (0: none)")                              \
         A0(kind, ClientError, "ClientErrorKind") A1(error, Int, "errno (0: none)"))                                  \
    KIND(ClientClose, Client, ClientStep, None, Free, "client close", "the client closed its socket",                \
         CONN("the client's connection") A0(requests, Int, "requests completed on it"))                              \
    KIND(RequestTagged, Connection, Instant, None, Free, "request tagged",                                            \
         "the request carried X-Request-Id: joins the client's lane to the server's",                                \
         CONN("the server's connection") REQ("the server's request") A0(client_req, Id, "the client's request id"))  \
    /* --- gate and bookkeeping (written by the collector, not by the engine) --- */                                  \
    KIND(GateStep, Bookkeeping, Instant, None, Free, "gate step", "the observer granted tokens",                     \
         A0(tokens, Int, "tokens granted"))                                                                           \
    KIND(Counter, Bookkeeping, Instant, None, Free, "total", "a never-dropped counter of pid changed",                \
         A0(counter, CounterId, "CounterId") A1(value, Int, "the counter's new value"))                              \
    KIND(RingDrops, Bookkeeping, Instant, None, Free, "ring drops", "a ring was full; pid/tid are its producer",     \
         A0(dropped, Int, "events dropped since the last report"))                                                    \
    /* (added after the recording format was fixed: at the end, so old recordings keep their numbers) */             \
    KIND(GateClose, Bookkeeping, Instant, None, Free, "gate close", "the gate closed: engine time stops",            \
         A0(paused_ns, Int, "wall ns spent closed before, in total"))                                                 \
    KIND(GateOpen, Bookkeeping, Instant, None, Free, "gate open", "the gate opened: engine time runs again",         \
         A0(paused_ns, Int, "wall ns spent closed, in total"))                                                       \
    KIND(PollReady, Poller, Instant, None, Free, "poll ready",                                                        \
         "one fd the poller's last wait returned ready (engine/loop; listed only when at most 8 are: PollWake "       \
         "counts them all). The hub's ready fds are its GreenWakes with why 0 and an fd",                             \
         A0(fd, Int, "fd") A1(events, Int, "what it is ready for: EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP mask"))
// clang-format on
