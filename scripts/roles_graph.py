#!/usr/bin/env python3
"""The include graph of src/roles: files, edges, depth, loops, and the wing rules.

A node is a file stem (a .cpp with its .h counted once); an edge is an #include "roles/...".
Each file belongs to the wing (folder) it sits in; a wing may include only the wings listed
below as allowed for it, so the wings stack with no include pointing back up. Loops are
strongly connected groups of two or more nodes.

usage: scripts/roles_graph.py [--check] [--root DIR]
  --check   exit 1 when a wing includes a wing it may not, or when any loop exists
  --root    the tree to read (default: this checkout); e.g. a `git worktree` of an old commit
"""
import argparse
import os
import re
import sys
from collections import defaultdict

# wing -> the wings it may include (itself always allowed)
ALLOWED = {
    "filter": set(),
    "common": {"filter"},
    "send": {"common", "filter"},
    "recv/core": {"common", "filter"},
    "recv/generator": {"recv/core", "common", "filter"},
    "recv/receiver": {"recv/core", "common", "filter"},
    "recv": {"recv/generator", "recv/receiver", "recv/core", "common", "filter"},
    "connect": {"send", "recv", "common", "filter"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"roles/([^"]+)\.h"', re.M)


def read_graph(roles_dir):
    nodes = set()
    edges = set()
    for dirpath, _, files in os.walk(roles_dir):
        for f in files:
            if not f.endswith((".h", ".cpp")):
                continue
            path = os.path.join(dirpath, f)
            stem = os.path.splitext(os.path.relpath(path, roles_dir))[0]
            nodes.add(stem)
            with open(path, encoding="utf-8") as fh:
                for target in INCLUDE.findall(fh.read()):
                    if target != stem:
                        edges.add((stem, target))
    return nodes, {(a, b) for a, b in edges if b in nodes}


def sccs(nodes, edges):
    """Tarjan's algorithm, iterative."""
    succ = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(succ[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    group.append(w)
                    if w == v:
                        break
                out.append(sorted(group))
    return out


def depth(nodes, edges, groups):
    """Levels of the graph with each loop collapsed: a node with no includes is level 1."""
    comp = {n: i for i, g in enumerate(groups) for n in g}
    succ = defaultdict(set)
    for a, b in edges:
        if comp[a] != comp[b]:
            succ[comp[a]].add(comp[b])
    level = {}

    def lv(c):
        if c not in level:
            level[c] = 1 + max((lv(d) for d in succ[c]), default=0)
        return level[c]

    sys.setrecursionlimit(10000)
    return max((lv(c) for c in range(len(groups))), default=0)


def wing_of(stem):
    parts = stem.split("/")
    return "/".join(parts[:-1]) or "."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    args = ap.parse_args()
    roles_dir = os.path.join(args.root, "src", "roles")
    nodes, edges = read_graph(roles_dir)
    groups = sccs(nodes, edges)
    loops = [g for g in groups if len(g) > 1]
    bad = sorted((a, b) for a, b in edges
                 if wing_of(a) != wing_of(b) and wing_of(b) not in ALLOWED.get(wing_of(a), set()))
    unknown = sorted({wing_of(n) for n in nodes} - set(ALLOWED))
    wings = defaultdict(int)
    for n in nodes:
        wings[wing_of(n)] += 1
    print(f"src/roles: {len(nodes)} files (.cpp with its .h counted once), {len(edges)} include "
          f"edges, {depth(nodes, edges, groups)} levels deep")
    print("wings: " + ", ".join(f"{w} {c}" for w, c in sorted(wings.items())))
    print(f"loops: {len(loops)}" + "".join(f"\n  {len(g)} files: {' '.join(g)}" for g in loops))
    print(f"includes against the wing order: {len(bad)}" +
          "".join(f"\n  {a} -> {b}" for a, b in bad))
    if unknown:
        print("files outside a known wing: " + ", ".join(unknown))
    if args.check and (loops or bad or unknown):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
