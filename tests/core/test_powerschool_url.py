import pytest
from django.core.exceptions import ValidationError

from raptorlink.validators import powerschool_url_problem, validate_powerschool_url


@pytest.mark.parametrize(
    "url",
    [
        "https://sample-district.powerschool.com",
        "https://ps.lincoln.k12.ne.us",
        "https://ps.example.org:8443",
        "http://localhost:8765",
        "http://127.0.0.1:8765",
    ],
)
def test_a_scheme_and_host_is_accepted(url):
    assert powerschool_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "Enter the PowerSchool URL"),
        ("https://sample-district.powerschool.com/", "Remove the trailing slash"),
        ("https://sample-district.powerschool.com/admin", "without a path"),
        ("https://sample-district.powerschool.com/admin/home.html", "without a path"),
        ("sample-district.powerschool.com", "Start the URL with https://"),
        ("http://sample-district.powerschool.com", "Use https://"),
        ("ftp://sample-district.powerschool.com", "must start with https://"),
        ("https://sample-district.powerschool.com?x=1", "Remove everything after the server name"),
        ("https://user:pw@sample-district.powerschool.com", "Remove the user name and password"),
        ("https://sample district.powerschool.com", "must not contain spaces"),
        ("https://powerschool", "looks incomplete"),
    ],
)
def test_each_mistake_gets_its_own_message(url, says):
    assert says in powerschool_url_problem(url)


def test_the_trailing_slash_message_shows_the_corrected_url():
    assert powerschool_url_problem("https://x.powerschool.com/").endswith("https://x.powerschool.com")


def test_the_validator_raises_with_the_plain_message():
    with pytest.raises(ValidationError) as raised:
        validate_powerschool_url("https://x.powerschool.com/admin")
    assert "https://x.powerschool.com" in raised.value.messages[0]
