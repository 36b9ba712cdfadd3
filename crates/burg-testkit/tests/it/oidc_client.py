"""A third-party OAuth client (authlib, joserfc) signs in to burg as ZITADEL's
SDKs do and reports what it saw as one JSON object on stdout.

Environment: BURG_BASE (the server's URL), BURG_KEY_FILE (a machine key
file of a JWT-token user), BURG_CLIENT_ID and BURG_CLIENT_SECRET (a machine
user's client credentials)."""

import json
import os

import requests
from authlib.integrations.requests_client import AssertionSession, OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

base = os.environ["BURG_BASE"]
report = {}
meta = requests.get(base + "/.well-known/openid-configuration", timeout=30).json()
report["issuer"] = meta["issuer"]

# The JWT profile grant with the key file, as the SDKs' key-file mode does.
key = json.load(open(os.environ["BURG_KEY_FILE"]))
session = AssertionSession(
    token_endpoint=meta["token_endpoint"],
    issuer=key["userId"],
    subject=key["userId"],
    audience=meta["issuer"],
    grant_type=AssertionSession.JWT_BEARER_GRANT_TYPE,
    scope="openid urn:zitadel:iam:org:project:id:zitadel:aud",
    key=key["key"],
    header={"alg": "RS256", "kid": key["keyId"]},
)
answer = session.get(base + "/admin/v1/instances/me", timeout=30)
report["jwt_profile_api_status"] = answer.status_code
token = session.token["access_token"]

report["jwt_profile_token_type"] = session.token["token_type"]

# The access token is a JWT: it checks against the published key set.
keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=30).json())
decoded = jwt.decode(token, keys, algorithms=["RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"])
report["jwt_header_kid"] = decoded.header["kid"]
report["jwt_claims"] = decoded.claims

# The client credentials grant with the machine user's secret.
client = OAuth2Session(
    os.environ["BURG_CLIENT_ID"],
    os.environ["BURG_CLIENT_SECRET"],
    token_endpoint_auth_method="client_secret_basic",
    scope="openid",
)
fetched = client.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
report["client_credentials_expires_in"] = fetched["expires_in"]
report["client_credentials_api_status"] = client.get(base + "/admin/v1/instances/me", timeout=30).status_code

# A wrong secret: authlib raises the server's OAuth error.
wrong = OAuth2Session(os.environ["BURG_CLIENT_ID"], "wrong", token_endpoint_auth_method="client_secret_basic")
try:
    wrong.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    report["wrong_secret_error"] = None
except Exception as error:  # authlib's OAuthError
    report["wrong_secret_error"] = getattr(error, "error", str(error))

print(json.dumps(report))
