import pytest
import time_machine

from tests.console.events import NOW
from tests.writeback.log_rows import log_world


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campus(world, frozen):
    """North High in the north building (Ada), South Middle in the south one (Cleo), Ruth in Riverside."""
    return log_world(world)


def dashboard_of(client, user, **params):
    client.force_login(user)
    response = client.get("/admin/", params)
    assert response.status_code == 200
    return response.context["dashboard"], response.content.decode()
