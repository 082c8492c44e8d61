"""Benchmark the PowerSchool sandbox over real HTTP.

    python bench/sandbox.py --students 5000 [--pages 200]

Generates a district into a temporary store, serves it with the threading HTTP server in this process, and
reads paged v1 students (school by school, as a sync does) and paged CC table rows (the last pages of the
table, in order, as a client paging to the end reaches them: the deepest offsets) through one keep-alive
`requests.Session`. Prints human figures, then one
line of JSON with students, generate_s, student_pages_per_s, cc_pages_per_s and peak_rss_mb.
"""

import argparse
import datetime
import json
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.app import SandboxApp  # noqa: E402
from sandbox.generator import generate_district  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from sandbox.store import Store  # noqa: E402
from sandbox.testing import bearer_session  # noqa: E402

PAGE_SIZE = 100
EXPANSIONS = "demographics,addresses,alerts,phones,school_enrollment,ethnicity_race,contact,contact_info,lunch"
CC_PROJECTION = "dcid,id,studentid,sectionid,schoolid,termid,dateenrolled,dateleft,expression"


def rss_mb():
    """The resident set size now (not the peak), from /proc."""
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb(*samples):
    """The kernel's high-water mark, which it updates lazily, so never below a reading taken along the way."""
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, *samples)


def fetch(session, url):
    answer = session.get(url, timeout=60)
    answer.raise_for_status()
    return answer.json()


def student_page_urls(session, base_url, pages):
    """`pages` URLs walking each school's students page by page, starting over when the district runs out."""
    schools = fetch(session, f"{base_url}/ws/v1/district/school")["schools"]["school"]
    schools = schools if isinstance(schools, list) else [schools]
    urls = []
    for school in schools:
        count = fetch(session, f"{base_url}/ws/v1/school/{school['id']}/student/count")["resource"]["count"]
        for page in range(1, math.ceil(count / PAGE_SIZE) + 1):
            urls.append(
                f"{base_url}/ws/v1/school/{school['id']}/student?expansions={EXPANSIONS}"
                f"&page={page}&pagesize={PAGE_SIZE}"
            )
    return [urls[k % len(urls)] for k in range(pages)]


def cc_page_urls(session, base_url, pages):
    """The URLs of the CC table's last `pages` pages, in order."""
    count = fetch(session, f"{base_url}/ws/schema/table/cc/count")["count"]
    last_page = max(1, math.ceil(count / PAGE_SIZE))
    first_page = max(1, last_page - pages + 1)
    return [
        f"{base_url}/ws/schema/table/cc?projection={CC_PROJECTION}&pagesize={PAGE_SIZE}&page={page}"
        for page in range(first_page, first_page + pages)
    ], count


def pages_per_second(session, urls):
    started = time.perf_counter()
    for url in urls:
        fetch(session, url)
    return len(urls) / (time.perf_counter() - started)


def run(students, pages):
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as directory:
        store = Store(Path(directory) / "district.sqlite3")
        started = time.perf_counter()
        generate_district(store, seed=1, students=students, profile="25.7", today=datetime.date(2026, 10, 14))
        generate_s = time.perf_counter() - started
        with SandboxServer(SandboxApp(store)) as server:
            session = bearer_session(store, server.base_url)
            student_urls = student_page_urls(session, server.base_url, pages)
            cc_urls, cc_rows = cc_page_urls(session, server.base_url, pages)
            pages_per_second(session, student_urls[:10] + cc_urls[:10])
            rss_before = rss_mb()
            student_rate = pages_per_second(session, student_urls)
            rss_between = rss_mb()
            cc_rate = pages_per_second(session, cc_urls)
            rss_after = rss_mb()
        store.close()
    return {
        "students": students,
        "pages": pages,
        "generate_s": round(generate_s, 2),
        "student_pages_per_s": round(student_rate, 1),
        "cc_pages_per_s": round(cc_rate, 1),
        "cc_rows": cc_rows,
        "rss_before_serving_mb": round(rss_before, 1),
        "rss_after_student_pages_mb": round(rss_between, 1),
        "rss_after_serving_mb": round(rss_after, 1),
        "peak_rss_mb": round(peak_rss_mb(rss_before, rss_between, rss_after), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, required=True)
    parser.add_argument("--pages", type=int, default=200, help="pages of each kind to fetch")
    args = parser.parse_args()
    figures = run(args.students, args.pages)
    print(f"Generated {figures['students']} students in {figures['generate_s']} s ({figures['cc_rows']} CC rows)")
    print(f"v1 students, {PAGE_SIZE}/page with expansions: {figures['student_pages_per_s']} pages/s")
    print(f"CC table, {PAGE_SIZE}/page: {figures['cc_pages_per_s']} pages/s")
    print(
        f"RSS before serving {figures['rss_before_serving_mb']} MB, after {args.pages} student pages "
        f"{figures['rss_after_student_pages_mb']} MB, after {args.pages} CC pages {figures['rss_after_serving_mb']} MB; "
        f"peak {figures['peak_rss_mb']} MB"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
