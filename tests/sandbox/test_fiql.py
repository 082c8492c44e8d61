import sqlite3

import pytest

from sandbox import fiql

COLUMNS = {"schoolid": "schoolid", "att_date": "att_date", "lastfirst": "lastfirst"}


@pytest.fixture
def people():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (schoolid INTEGER, att_date TEXT, lastfirst TEXT)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?)",
        [
            (3001, "2024-10-01", "Doe, Jane"),
            (3001, "2024-10-02", "Smith, Ann"),
            (3002, "2024-10-03", "Dobbs, Al"),
            (3003, "2024-10-04", "50%_off, Odd"),
        ],
    )
    return conn


def matching(conn, q):
    where, params = fiql.where_clause(q, COLUMNS)
    return [row[0] for row in conn.execute(f"SELECT lastfirst FROM t WHERE {where} ORDER BY att_date", params)]


def test_equality_and_inequality_compare_numbers_given_as_text(people):
    assert matching(people, "schoolid==3001") == ["Doe, Jane", "Smith, Ann"]
    assert matching(people, "schoolid!=3001") == ["Dobbs, Al", "50%_off, Odd"]


def test_range_operators_compare_dates(people):
    assert matching(people, "att_date=gt=2024-10-02") == ["Dobbs, Al", "50%_off, Odd"]
    assert matching(people, "att_date=ge=2024-10-02;att_date=le=2024-10-03") == ["Smith, Ann", "Dobbs, Al"]
    assert matching(people, "att_date=lt=2024-10-02") == ["Doe, Jane"]


def test_semicolon_joins_clauses_with_and(people):
    assert matching(people, "schoolid==3001;att_date==2024-10-02") == ["Smith, Ann"]


def test_a_parenthesised_list_matches_any_of_its_values(people):
    assert matching(people, "schoolid==(3002,3003)") == ["Dobbs, Al", "50%_off, Odd"]
    assert matching(people, "schoolid!=(3002,3003)") == ["Doe, Jane", "Smith, Ann"]


def test_star_is_a_wildcard_and_sql_wildcards_are_literal(people):
    assert matching(people, "lastfirst==Do*") == ["Doe, Jane", "Dobbs, Al"]
    assert matching(people, "lastfirst==50%_*") == ["50%_off, Odd"]
    assert matching(people, "lastfirst==5_%*") == []


def test_column_names_are_case_insensitive(people):
    assert matching(people, "SchoolID==3002") == ["Dobbs, Al"]


def test_an_empty_q_selects_everything(people):
    assert len(matching(people, "")) == 4


def test_values_are_bound_never_pasted_into_sql(people):
    where, params = fiql.where_clause("lastfirst==x' OR '1'='1", COLUMNS)
    assert "'1'" not in where and params == ["x' OR '1'='1"]
    assert matching(people, "lastfirst==x' OR '1'='1") == []


def test_an_unknown_column_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown column 'grade'"):
        fiql.where_clause("schoolid==1;grade==9", COLUMNS)


@pytest.mark.parametrize("q", ["schoolid>3001", "schoolid", "==3001", "schoolid=like=3"])
def test_a_clause_without_a_known_operator_is_refused(q):
    with pytest.raises(ValueError, match="expected <column><operator><value>"):
        fiql.where_clause(q, COLUMNS)


def test_an_empty_clause_and_unbalanced_parentheses_are_refused():
    with pytest.raises(ValueError, match="empty clause"):
        fiql.where_clause("schoolid==1;;att_date==2024-10-01", COLUMNS)
    with pytest.raises(ValueError, match="unbalanced"):
        fiql.where_clause("schoolid==(1,2", COLUMNS)


def test_a_list_needs_equality_and_no_empty_items():
    with pytest.raises(ValueError, match="needs == or !="):
        fiql.where_clause("schoolid=gt=(1,2)", COLUMNS)
    with pytest.raises(ValueError, match="empty item"):
        fiql.where_clause("schoolid==(1,,2)", COLUMNS)


def test_named_placeholders_join_a_query_that_binds_by_name():
    where, params = fiql.named_where_clause("schoolid==(1,2);att_date=ge=2024-01-01", COLUMNS, "q_")
    assert where == "schoolid IN (:q_0, :q_1) AND att_date >= :q_2"
    assert params == {"q_0": "1", "q_1": "2", "q_2": "2024-01-01"}


def test_referenced_columns_lists_what_a_filter_reads():
    assert fiql.referenced_columns("SchoolID==1;att_date=ge=2024-01-01") == ["schoolid", "att_date"]
