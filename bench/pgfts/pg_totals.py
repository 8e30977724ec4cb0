#!/usr/bin/python3
"""PostgreSQL's hit total of every search of ../shared/bench/queries.json (SYNTHETIC data), as bench.py counts it.

    PGB_PORT=55511 /usr/bin/python3 bench/pgfts/pg_totals.py --db pgfts_100k [--bench ../shared/bench] [--out pg.csv]

Uses bench.py's own functions (normalize: each word's distinct lexemes under pf_en/fr/nl/de/simple, ORed per word,
words ANDed, ':*' on a prefix; filters_sql), so the count is exactly the `total` of its search. Writes
id,class,terms,filters,total; `gen-search --compare pg.csv` puts the engine's totals beside these.
Needs Debian's python3-psycopg2 and a cluster loaded by load.sh.
"""
import argparse
import csv
import importlib.util
import os
import sys


def find_bench():
    d = os.path.abspath(os.getcwd())
    while True:
        c = os.path.join(d, "shared", "bench", "bench.py")
        if os.path.exists(c):
            return os.path.dirname(c)
        if os.path.dirname(d) == d:
            return None
        d = os.path.dirname(d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--port", type=int, default=int(os.environ.get("PGB_PORT", 55433)))
    ap.add_argument("--bench", default=find_bench())
    ap.add_argument("--queries")
    ap.add_argument("--out", default="/tmp/pg-totals.csv")
    args = ap.parse_args()
    if not args.bench:
        sys.exit("error: ../shared/bench not found; give --bench")
    spec = importlib.util.spec_from_file_location("bench", os.path.join(args.bench, "bench.py"))
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    queries = bench.load_queries(args.queries or os.path.join(args.bench, "queries.json"))
    con = bench.connect(args)
    cur = con.cursor()
    with open(args.out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "class", "terms", "filters", "total"])
        for q in queries:
            tsq = bench.normalize(cur, q)
            total = 0
            if tsq is not None:
                cur.execute(f"SELECT count(*) FROM projects p WHERE p.search @@ {bench.tsquery_sql(q, tsq)}{bench.filters_sql(q)}")
                total = cur.fetchone()[0]
            filters = " ".join(f"{k}={v}" for k, v in sorted(q["filters"].items()))
            w.writerow([q["id"], q["class"], " ".join(q["terms"]), filters, total])
    print(f"{len(queries)} totals -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
