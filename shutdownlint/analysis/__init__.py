"""Facts every rule asks for, computed lazily and once per module.

A rule never works out on its own "is this a queue?" or "is this a shutdown
path?": it asks `facts.ModuleFacts`. Nothing here knows a rule, the engine, the
CLI or a format. The modules, from the bottom up (each imports only those above
it in this list):

- `vocabulary`: the domain's words as enums (Kind, Flavor, ContextKind, ...).
- `options`: the part of the configuration the analysis reads.
- `astroid_env`: astroid's process-wide state and the private APIs we use.
- `infer`: bounded, exception-safe inference and small node helpers.
- `schedulers`: the table of APIs that run code elsewhere (threads, tasks...).
- `paths`: exception and early-exit paths through a function.
- `operations`: the one table of what each kind can do (add, take, put, get, release,
  join) with the words messages use and the statement a fix writes.
- `kinds`: the table of known types; what an expression refers to.
- `ownership`: identity of a value, aliases, what a derived value covers, who owes a
  release (the tracker), promises and their hand-offs.
- `starts`: how a worker comes to run from its starter (arguments, start statement,
  task groups).
- `stop_requests`: what a test that ends a worker in order looks like.
- `contexts`: where code runs (worker / thread contexts, shutdown paths).
- `blocking`: the table of blocking calls; which calls can wait forever.
- `lifecycle`: what must be released on every exit (SDL1xx obligations).
- `summaries`: what a called method does to a worker (joins it, only signals it).
- `owners`: objects that run workers (a class that starts a worker it keeps and joins it).
- `loop_bound`: objects made on or registered with an event loop.
- `locks`: which locks are held at a node (lock sets), and what counts as a lock.
- `threadmap`: which threads run each function (thread identities, RacerD-style).
- `shared`: long-lived state (attributes, globals rebound through `global`) and
  every access to it, with its lock set and threads.
- `order`: what orders two accesses across functions (a join, the lifecycle: a start
  step before the thread a stop step starts).
- `race_shapes`: the syntactic shapes races read (what an `if` decides, probes,
  per-thread slots, save-and-restore).
- `race_records`: the typed evidence races returns.
- `races`: races on that state (the decisions SDL201-SDL203 share).
- `teardown`: what shutdown does: containers it empties and the adds that race it,
  workers and the queues they feed or drain, the stop order, loop threads.
- `facts`: `ModuleFacts`, the lazily built providers of all of the above.
- `words`: the words a file must contain for the analysis to find anything in it (the cheap look).

Where a new fact goes: a fact about the whole module (a map of the module's
functions, say) is a provider on `ModuleFacts` built from its own class in its
own module here; a fact about one function (its exception paths) or one class
(its locks, its workers) is a method of such a provider that takes the
function or class and caches per node. One table per kind of knowledge about
Python's APIs, in the module that owns the fact; rules derive their names from
the tables, never copy them.
"""
