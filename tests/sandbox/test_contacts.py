import pytest

from sandbox.app import SandboxApp
from sandbox.testing import DEFAULT_BASE_URL as BASE
from sandbox.testing import bearer_session, mock_powerschool


@pytest.fixture
def api(sandbox_store):
    with mock_powerschool(SandboxApp(sandbox_store)):
        yield bearer_session(sandbox_store)


@pytest.fixture
def student_dcid(sandbox_store):
    return sandbox_store.query_one("SELECT studentdcid FROM studentcontactassoc ORDER BY studentdcid LIMIT 1")[0]


def test_a_students_contacts_are_a_plain_array_with_explicit_nulls(api, student_dcid, sandbox_store):
    contacts = api.get(f"{BASE}/ws/contacts/student/{student_dcid}").json()
    stored = sandbox_store.query_one("SELECT COUNT(*) FROM studentcontactassoc WHERE studentdcid = ?", (student_dcid,))[
        0
    ]

    assert isinstance(contacts, list) and len(contacts) == stored
    contact = contacts[0]
    assert contact["prefix"] is None and "middleName" in contact
    assert isinstance(contact["emails"], list) and isinstance(contact["phones"], list)
    links = [link for link in contact["contactStudents"] if link["dcid"] == student_dcid]
    assert len(links) == 1
    assert isinstance(links[0]["studentDetails"], list)
    assert {"relationship", "custodial", "emergency", "schoolPickup", "active"} <= set(links[0]["studentDetails"][0])


def test_a_student_without_contacts_is_a_204(api, student_dcid, sandbox_store):
    with sandbox_store.transaction() as conn:
        conn.execute("DELETE FROM studentcontactassoc WHERE studentdcid = ?", (student_dcid,))

    answer = api.get(f"{BASE}/ws/contacts/student/{student_dcid}")

    assert answer.status_code == 204 and answer.content == b""


def test_one_contact_by_id_is_the_same_object_without_an_array(api, student_dcid):
    listed = api.get(f"{BASE}/ws/contacts/student/{student_dcid}").json()[0]

    single = api.get(f"{BASE}/ws/contacts/contact/{listed['contactId']}").json()

    assert single == listed
    assert api.get(f"{BASE}/ws/contacts/contact/99999999").status_code == 404


def test_servers_older_than_12_have_no_contacts_api(api, student_dcid, sandbox_store):
    sandbox_store.set_setting("profile", "11")

    assert api.get(f"{BASE}/ws/contacts/student/{student_dcid}").status_code == 404
