"""CLI fixtures. The modules whose commands read or write records run on both back ends
(``pytestmark = pytest.mark.usefixtures("backend")``); the rest need no database."""
