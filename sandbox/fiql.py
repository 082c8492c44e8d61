"""PowerSchool's FIQL-style `q` filters, turned into parameterised SQL.

`q=schoolid==3001;att_date=ge=2024-10-01;att_code==(T,TX);lastfirst==Sm*` is an AND of clauses. Column
names are matched case-insensitively against a whitelist the caller supplies (name -> SQL expression), and
every value travels as a bound parameter, so nothing from the query string is ever pasted into SQL.
"""

import re

OPERATORS = {"==": "=", "!=": "!=", "=gt=": ">", "=ge=": ">=", "=lt=": "<", "=le=": "<="}

_CLAUSE = re.compile(r"(?P<column>[A-Za-z_][A-Za-z0-9_.]*)(?P<operator>==|!=|=gt=|=ge=|=lt=|=le=)(?P<value>.*)", re.S)


def where_clause(q, columns):
    """`(sql, params)` for a `q` string, with `?` placeholders; `columns` maps lower-case names to SQL expressions.

    An empty `q` selects everything. Raises ValueError naming the clause that is wrong.
    """
    params = []

    def bind(value):
        params.append(value)
        return "?"

    return _where(q, columns, bind), params


def named_where_clause(q, columns, prefix):
    """Like `where_clause`, with `:<prefix>N` placeholders and a dict, to join a query that binds by name."""
    params = {}

    def bind(value):
        name = f"{prefix}{len(params)}"
        params[name] = value
        return f":{name}"

    return _where(q, columns, bind), params


def _where(q, columns, bind):
    if not q or not q.strip():
        return "1 = 1"
    return " AND ".join(_clause_sql(clause, columns, bind) for clause in split_clauses(q))


def referenced_columns(q):
    """The lower-case column names a `q` string mentions (for access checks before running it)."""
    if not q or not q.strip():
        return []
    return [_parse(clause)[0].lower() for clause in split_clauses(q)]


def split_clauses(q):
    """Split on `;` outside parentheses, so a list value like `(a;b)` is never cut in two."""
    clauses, depth, current = [], 0, ""
    for char in q:
        depth += char == "("
        depth -= char == ")"
        if char == ";" and depth == 0:
            clauses.append(current)
            current = ""
        else:
            current += char
    clauses.append(current)
    if depth != 0:
        raise ValueError(f"Invalid q '{q}': unbalanced parentheses")
    empty = [clause for clause in clauses if not clause.strip()]
    if empty:
        raise ValueError(f"Invalid q '{q}': empty clause between ';' separators")
    return [clause.strip() for clause in clauses]


def _parse(clause):
    match = _CLAUSE.fullmatch(clause)
    if not match:
        raise ValueError(
            f"Invalid q clause '{clause}': expected <column><operator><value> with one of " + ", ".join(OPERATORS)
        )
    return match["column"], match["operator"], match["value"]


def _clause_sql(clause, columns, bind):
    column, operator, value = _parse(clause)
    expression = columns.get(column.lower())
    if expression is None:
        raise ValueError(f"Invalid q clause '{clause}': unknown column '{column}'")
    if value.startswith("(") and value.endswith(")"):
        return _list_sql(clause, expression, operator, value[1:-1], bind)
    if "*" in value and operator in ("==", "!="):
        keyword = "LIKE" if operator == "==" else "NOT LIKE"
        return f"{expression} {keyword} {bind(_like_pattern(value))} ESCAPE '\\'"
    return f"{expression} {OPERATORS[operator]} {bind(value)}"


def _list_sql(clause, expression, operator, inner, bind):
    if operator not in ("==", "!="):
        raise ValueError(f"Invalid q clause '{clause}': a (list) value needs == or !=")
    values = [item.strip() for item in inner.split(",")]
    if not inner.strip() or any(item == "" for item in values):
        raise ValueError(f"Invalid q clause '{clause}': empty item in the value list")
    keyword = "IN" if operator == "==" else "NOT IN"
    return f"{expression} {keyword} ({', '.join(bind(value) for value in values)})"


def _like_pattern(value):
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")
