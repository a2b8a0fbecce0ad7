#!/usr/bin/env python3
"""The bare distinct-employee counts of an overall report's breakdowns, in DuckDB.

`careerdock bench overall` exports the population of the cycle it builds (the same people the
product counts) and runs this script in its own venv (~/.cache/careerdock/bench-venv) to compare
the product's build time with a column store doing only the counting: no anonymity checks, no
history, no assembly.

Input, in the directory given as the first argument (CSV with a header, every field quoted):
  people.csv       employee, age, tenure, grade, top   (band labels, grade, top-level department;
                                                        empty when unknown)
  departments.csv  employee, department                (every department label the person is
                                                        counted under: their own and each ancestor)
  measures.csv     employee, measure                   (each tag or flag the person carries)

It computes every table the product builds: the whole population, one table per dimension
(every department level, age band, tenure band, grade) and the six two-way tables (top-level
department × age / tenure / grade, age × tenure, age × grade, tenure × grade); for each group the
number of people and, per measure, the number of people carrying it. It prints one JSON object:
load and count times in seconds, the number of groups per table, and the number of non-zero
measure cells.
"""

import json
import sys
import time

import duckdb

TABLES = [
    ("overall", "SELECT '' AS g, employee FROM people"),
    ("department", "SELECT department AS g, employee FROM departments"),
    ("age", "SELECT age AS g, employee FROM people WHERE age IS NOT NULL"),
    ("tenure", "SELECT tenure AS g, employee FROM people WHERE tenure IS NOT NULL"),
    ("grade", "SELECT grade AS g, employee FROM people WHERE grade IS NOT NULL"),
    ("department_age", "SELECT top || '|' || age AS g, employee FROM people WHERE top IS NOT NULL AND age IS NOT NULL"),
    ("department_tenure", "SELECT top || '|' || tenure AS g, employee FROM people WHERE top IS NOT NULL AND tenure IS NOT NULL"),
    ("department_grade", "SELECT top || '|' || grade AS g, employee FROM people WHERE top IS NOT NULL AND grade IS NOT NULL"),
    ("age_tenure", "SELECT age || '|' || tenure AS g, employee FROM people WHERE age IS NOT NULL AND tenure IS NOT NULL"),
    ("age_grade", "SELECT age || '|' || grade AS g, employee FROM people WHERE age IS NOT NULL AND grade IS NOT NULL"),
    ("tenure_grade", "SELECT tenure || '|' || grade AS g, employee FROM people WHERE tenure IS NOT NULL AND grade IS NOT NULL"),
]


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: duckdb_overall.py DIR", file=sys.stderr)
        return 2
    d = sys.argv[1]
    con = duckdb.connect()
    start = time.perf_counter()
    for name, cols in [
        ("people", "{'employee': 'BIGINT', 'age': 'VARCHAR', 'tenure': 'VARCHAR', 'grade': 'VARCHAR', 'top': 'VARCHAR'}"),
        ("departments", "{'employee': 'BIGINT', 'department': 'VARCHAR'}"),
        ("measures", "{'employee': 'BIGINT', 'measure': 'VARCHAR'}"),
    ]:
        path = f"{d}/{name}.csv".replace("'", "''")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = true, columns = {cols})")
    loaded = time.perf_counter()
    groups = {}
    nonzero = 0
    for name, select in TABLES:
        people = con.execute(f"SELECT g, COUNT(DISTINCT employee) FROM ({select}) s GROUP BY g").fetchall()
        measured = con.execute(
            f"SELECT s.g, m.measure, COUNT(DISTINCT s.employee) FROM ({select}) s JOIN measures m ON m.employee = s.employee GROUP BY s.g, m.measure"
        ).fetchall()
        groups[name] = len(people)
        nonzero += len(measured)
    counted = time.perf_counter()
    print(
        json.dumps(
            {
                "duckdb": duckdb.__version__,
                "load_s": loaded - start,
                "count_s": counted - loaded,
                "groups": groups,
                "nonzero_measure_cells": nonzero,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
