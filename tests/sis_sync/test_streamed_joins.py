"""A full pass joins the contact tables as they stream in, and reads the data version without decoding its DCIDs."""

import pytest

from raptorlink.powerschool.errors import UnexpectedResponseError
from raptorlink.powerschool.paging import data_version_in
from sandbox.store import Store
from sis_sync.engine.joins import SortedGroups, TextsById
from sis_sync.models import Contact, StudentContact, SyncRun

# --- the joins -------------------------------------------------------------------------------------------


def test_sorted_groups_hand_out_each_values_rows_and_pass_over_the_ones_never_asked_for():
    rows = [{"personid": pid, "n": n} for n, pid in enumerate([1, 1, 2, 4, 4, 4, None, 7])]
    groups = SortedGroups(iter(rows), "personid", "personphonenumberassoc")

    assert [row["n"] for row in groups.take(1)] == [0, 1]
    assert groups.take(3) == []
    assert [row["n"] for row in groups.take(4)] == [3, 4, 5]
    assert [row["n"] for row in groups.take(7)] == [7]
    assert groups.take(8) == []


def test_sorted_groups_refuse_a_table_powerschool_did_not_list_in_order():
    rows = [{"personid": pid} for pid in (1, 5, 3)]
    groups = SortedGroups(iter(rows), "personid", "personphonenumberassoc")

    with pytest.raises(UnexpectedResponseError, match="personphonenumberassoc in order of PERSONID"):
        groups.take(5)


@pytest.mark.parametrize("ids", [(3, 9, 12, 40), (40, 3, 12, 9)])
def test_texts_by_id_find_each_text_whatever_order_the_ids_came_in(ids):
    texts = TextsById((key, f"555-01{key:02}") for key in ids)

    assert [texts.get(key) for key in (3, 9, 12, 40)] == ["555-0103", "555-0109", "555-0112", "555-0140"]
    assert texts.get(4) is None and texts.get(41, "none") == "none" and texts.get(None) is None
    assert len(texts) == 4


def test_texts_by_id_keep_empty_and_accented_texts():
    texts = TextsById([(1, ""), (2, "zoë@example.org"), (3, None)])

    assert (texts.get(1), texts.get(2), texts.get(3)) == ("", "zoë@example.org", "")


# --- the full pass -----------------------------------------------------------------------------------------


def _person_with_phone(store):
    return store.query_one(
        "SELECT a.personid, MAX(a.phonenumberid) AS phonenumberid FROM personphonenumberassoc a "
        "GROUP BY a.personid ORDER BY a.personid LIMIT 1"
    )


def test_a_full_sync_puts_a_phone_added_later_with_the_first_priority_first(powerschool):
    store = powerschool.store
    person = _person_with_phone(store)
    with store.transaction() as conn:
        number = Store.next_key(conn, "phonenumber", "phonenumberid")
        conn.execute(
            "INSERT INTO phonenumber (phonenumberid, dcid, phonenumber, phonenumberext) VALUES (?, ?, ?, ?)",
            (number, Store.next_key(conn, "phonenumber", "dcid"), "555-0199", "12"),
        )
        conn.execute(
            "INSERT INTO personphonenumberassoc (personphonenumberassocid, dcid, personid, phonenumberid, "
            "phonenumberpriorityorder, ispreferred, issms) VALUES (?, ?, ?, ?, 0, 0, 1)",
            (
                Store.next_key(conn, "personphonenumberassoc", "personphonenumberassocid"),
                Store.next_key(conn, "personphonenumberassoc", "dcid"),
                person["personid"],
                number,
            ),
        )

    run = powerschool.sync()

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    phones = Contact.objects.get(key=str(person["personid"])).phones
    assert phones[0] == {"number": "555-0199 x12", "type": "", "preferred": False, "sms": True}
    assert len(phones) >= 2


def test_a_full_sync_takes_a_links_current_detail_not_a_later_one_that_ended(powerschool):
    store = powerschool.store
    detail = store.query_one("SELECT * FROM studentcontactdetail ORDER BY studentcontactassocid LIMIT 1")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO studentcontactdetail (studentcontactdetailid, dcid, studentcontactassocid, "
            "relationshiptypecodesetid, isactive, iscustodial, schoolpickupflg, enddate) "
            "VALUES (?, ?, ?, ?, 1, ?, ?, '2020-06-30')",
            (
                Store.next_key(conn, "studentcontactdetail", "studentcontactdetailid"),
                Store.next_key(conn, "studentcontactdetail", "dcid"),
                detail["studentcontactassocid"],
                detail["relationshiptypecodesetid"],
                int(not detail["iscustodial"]),
                int(not detail["schoolpickupflg"]),
            ),
        )

    powerschool.sync()

    link = StudentContact.objects.get(key=str(detail["studentcontactassocid"]))
    assert (link.custodial, link.school_pickup) == (bool(detail["iscustodial"]), bool(detail["schoolpickupflg"]))


def test_a_full_sync_links_every_student_to_every_contact_powerschool_lists(powerschool):
    run = powerschool.sync()

    listed = powerschool.store.query("SELECT studentcontactassocid, personid FROM studentcontactassoc")
    synced = dict(StudentContact.objects.values_list("key", "contact__key"))
    assert synced == {str(row["studentcontactassocid"]): str(row["personid"]) for row in listed}
    assert run.counts["student_contacts"]["failed"] == 0


# --- the data version ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"$dataversion": "16323283", "tables": {"students": [1, 2, 3]}}',
        b'{"tables": {"students": [1, 2, 3], "cc": [4, 5]}, "$dataversion" : 16323283}',
        b'{\n  "tables": {"users": [851]},\n  "$dataversion": "16323283"\n}',
    ],
)
@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_the_data_version_is_found_wherever_it_stands_and_however_the_answer_is_cut(body, chunk):
    chunks = (body[start : start + chunk] for start in range(0, len(body), chunk))

    assert data_version_in(chunks) == 16323283


def test_an_answer_without_a_data_version_reads_as_version_zero():
    assert data_version_in([b'{"tables": {"students": [1, 2]}}']) == 0
    assert data_version_in([]) == 0


def test_the_client_reads_the_version_of_the_answer_listing_every_row_of_the_district(powerschool):
    version = powerschool.client().data_version("RaptorLink", 0)

    assert version == powerschool.store.current_dataversion() > 0
