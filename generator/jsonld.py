"""schema.org JSON-LD for association pages: an Organization identified by its USCC.

Data only (the template escapes and embeds it), so search engines and regulators' crawlers
can read who an association is without scraping the page.
"""

from __future__ import annotations

from typing import Any

from .assemble import Association


def organisation_ld(assoc: Association, url: str) -> dict[str, Any]:
    p = assoc.profile
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": url + "#organization",
        "url": url,
        "name": p.name,
        "legalName": p.name,
        "identifier": {
            "@type": "PropertyValue",
            "propertyID": "USCC",
            "name": "统一社会信用代码",
            "value": p.uscc,
        },
        "foundingDate": p.registration.registered_on.isoformat(),
        "address": {"@type": "PostalAddress", "streetAddress": p.address, "addressCountry": "CN"},
    }
    if p.short_name:
        data["alternateName"] = p.short_name
    if p.name_en:
        data["alternateName"] = [n for n in (p.short_name, p.name_en) if n]
    if p.telephone:
        data["telephone"] = p.telephone
    if p.email:
        data["email"] = p.email
    if p.website:
        data["sameAs"] = [p.website]
    if p.summary:
        data["description"] = p.summary
    data["knowsAbout"] = p.industry
    return data
