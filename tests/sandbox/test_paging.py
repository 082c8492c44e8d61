from tests.sandbox.ws_client import WsClient


def read_all_pages(ws, table, **query):
    keys, page = [], 1
    while True:
        records = ws.get(f"/ws/schema/table/{table}", projection="dcid", page=page, pagesize=25, **query).json["record"]
        if not records:
            return keys
        keys += [record["id"] for record in records]
        page += 1


def read_with_offsets(store, table, where="1=1"):
    return [row["dcid"] for row in store.query(f"SELECT dcid FROM {table} WHERE {where} ORDER BY dcid")]


def test_reading_pages_in_order_gives_exactly_the_rows_offset_paging_gives(sandbox_store):
    ws = WsClient(sandbox_store)
    assert read_all_pages(ws, "cc") == read_with_offsets(sandbox_store, "cc")


def test_filtered_and_descending_pages_are_exact_too(sandbox_store):
    ws = WsClient(sandbox_store)
    school = sandbox_store.query_one("SELECT schoolid FROM cc LIMIT 1")["schoolid"]
    ascending = read_all_pages(ws, "cc", q=f"schoolid=={school}")
    descending = read_all_pages(ws, "cc", q=f"schoolid=={school}", sortdescending="true")
    assert ascending == read_with_offsets(sandbox_store, "cc", f"schoolid = {school}")
    assert descending == list(reversed(ascending))


def test_a_change_between_pages_is_seen_as_offset_paging_would_see_it(sandbox_store):
    ws = WsClient(sandbox_store)
    first = ws.get("/ws/schema/table/students", projection="dcid", page=1, pagesize=10).json["record"]
    with sandbox_store.transaction() as conn:  # a deletion shifts every later row one place up
        conn.execute("DELETE FROM students WHERE dcid = ?", (first[0]["id"],))
    second = ws.get("/ws/schema/table/students", projection="dcid", page=2, pagesize=10).json["record"]
    assert [record["id"] for record in second] == read_with_offsets(sandbox_store, "students")[10:20]
