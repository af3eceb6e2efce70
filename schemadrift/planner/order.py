"""Ordering of plan steps: a dependency graph built from IR facts, sorted deterministically.

Every draft step says which objects ("resources") it creates, which it drops, which it needs to
exist afterwards (``needs_new``: a column before the index on it, a referenced table before the
foreign key) and which it still uses before they go (``needs_old``: a foreign key is dropped
before the table it references) and which must be gone first (``needs_gone``: a primary key is
dropped before its column accepts NULL). Edges follow from these facts alone, so no global list of
kinds has to be kept in order. Kahn's algorithm with a heap keyed by
``(phase, priority, schema, table, name, seq)`` makes the result byte-identical across runs.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Sequence

from ..errors import PlanError


def edges(drafts: Sequence) -> dict[int, set[int]]:
    """``{i: {j, …}}``: draft ``i`` must run before each draft ``j`` (indexes into ``drafts``)."""
    creators: dict[Hashable, list[int]] = {}
    droppers: dict[Hashable, list[int]] = {}
    for i, d in enumerate(drafts):
        for r in d.creates:
            creators.setdefault(r, []).append(i)
        for r in d.drops:
            droppers.setdefault(r, []).append(i)
    out: dict[int, set[int]] = {i: set() for i in range(len(drafts))}
    position = {id(d): i for i, d in enumerate(drafts)}
    for i, d in enumerate(drafts):
        for r in d.needs_new:  # created before used
            for c in creators.get(r, ()):
                out[c].add(i)
        for r in d.needs_old:  # used before dropped
            for x in droppers.get(r, ()):
                out[i].add(x)
        for r in getattr(d, "needs_gone", ()):  # dropped before this step
            for x in droppers.get(r, ()):
                out[x].add(i)
        for r in d.creates:  # an object dropped and created again: drop the old one first
            for x in droppers.get(r, ()):  # (one created in expand and dropped in contract is
                if drafts[x].phase <= d.phase:  # a temporary object: phases order it)
                    out[x].add(i)
        for before in d.follows:
            out[position[id(before)]].add(i)
    for i in out:
        out[i].discard(i)
    return out


def toposort(drafts: Sequence, key: Callable[[object], tuple]) -> list:
    """The drafts in dependency order, ties broken by ``key`` (then by their input position).

    Raises PlanError naming the steps left when the graph has a cycle, or when a dependency would
    make a step run in an earlier phase than one it depends on (phases are strict barriers)."""
    graph = edges(drafts)
    indegree = [0] * len(drafts)
    for targets in graph.values():
        for j in targets:
            indegree[j] += 1
    heap = [(key(d), i) for i, d in enumerate(drafts) if indegree[i] == 0]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(i)
        for j in graph[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(heap, (key(drafts[j]), j))
    if len(order) < len(drafts):
        stuck = sorted(drafts[i].summary for i in range(len(drafts)) if indegree[i] > 0)
        raise PlanError("cannot order the plan, dependency cycle among: " + "; ".join(stuck[:6]))
    for i, targets in graph.items():
        for j in targets:
            if drafts[j].phase < drafts[i].phase:
                raise PlanError(f"step {drafts[j].summary!r} ({drafts[j].phase.label}) depends on "
                                f"{drafts[i].summary!r} ({drafts[i].phase.label})")
    return [drafts[i] for i in order]


def cycles(nodes: Iterable[Hashable], successors: Callable[[Hashable], Iterable[Hashable]]
           ) -> list[frozenset]:
    """The strongly connected components with more than one node (Tarjan), deterministic.

    Used to find groups of tables whose foreign keys point at each other (a self-reference is
    not a cycle here: a table can be created with a foreign key to itself)."""
    nodes = sorted(nodes)
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    out: list[frozenset] = []
    counter = [0]

    def visit(v) -> None:
        # iterative Tarjan: deep FK chains must not hit the recursion limit
        work = [(v, iter(sorted(set(successors(v)) - {v})))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(set(successors(w)) - {w}))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                if len(component) > 1:
                    out.append(frozenset(component))

    for v in nodes:
        if v not in index:
            visit(v)
    return sorted(out, key=sorted)
