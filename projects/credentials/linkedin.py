"""LinkedIn's "Add to profile" link for a certification (pure): the form on LinkedIn opens filled
in with the credential's name, issuer, dates, public URL and id. Empty parameters are left out,
as LinkedIn asks."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def add_to_profile_url(
    *,
    name: str,
    organization: str,
    issued: date,
    cert_url: str,
    cert_id: str,
    expires: date | None = None,
) -> str:
    parameters = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organization,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "expirationYear": str(expires.year) if expires else "",
        "expirationMonth": str(expires.month) if expires else "",
        "certUrl": cert_url,
        "certId": cert_id,
    }
    return f"{ADD_TO_PROFILE}?{urlencode({k: v for k, v in parameters.items() if v})}"
