from tests.matching.conftest import _fresh_index, catalogue, review, run  # noqa: F401
