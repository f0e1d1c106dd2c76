import io
import json

import pytest
from django.core.management import CommandError, call_command


def test_bench_credentials_prints_its_figures_last_as_json():
    out = io.StringIO()
    call_command("bench_credentials", "--credentials", "5", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["credentials"] == 5
    for name in ("issue_sign_p95_ms", "verify_p95_ms", "status_list_encode_p95_ms"):
        assert figures[name] > 0


def test_bench_credentials_refuses_zero():
    with pytest.raises(CommandError):
        call_command("bench_credentials", "--credentials", "0")
