import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_public_and_lists_every_api_path(anonymous):
    response = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = set(response.json()["paths"])
    expected = {
        "/api/health/",
        "/api/me/",
        "/api/organisations/",
        "/api/organisations/{id}/",
        "/api/memberships/",
        "/api/memberships/{id}/",
        "/api/tokens/",
        "/api/tokens/{id}/",
    }
    assert expected <= paths


def test_schema_documents_bearer_authentication(anonymous):
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_is_served_without_any_network_asset(anonymous):
    response = anonymous.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"cdn." not in response.content


def test_docs_assets_are_served_locally(anonymous):
    page = anonymous.get("/api/docs/").content.decode()
    asset = next(part.split('"')[0] for part in page.split('src="')[1:] if "sidecar" in part)

    response = anonymous.get(asset)

    assert response.status_code == 200
