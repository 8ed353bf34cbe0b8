"""Bearer-token authentication of the API and the two scopes.

Every request under :data:`API_PREFIX` is authenticated by a middleware *before* FastAPI reads
its parameters, so a request without a valid token answers 401 whatever else is wrong with it.
Routes then declare the scope they need with :data:`Integrator` (integrator or admin) or
:data:`Admin` (admin only; an integrator token gets 403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from engine.service.context import Service

from .errors import Forbidden, Unauthorized, error_body
from .tokens import ApiToken, verify_token

API_PREFIX = "/api/v1"
# Declares the scheme in the OpenAPI description (the "Authorize" button of /docs); the
# middleware below does the actual check.
bearer = HTTPBearer(auto_error=False, description="an API token from `social-missions token create`")


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def raw_token(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("this route needs an `Authorization: Bearer <token>` header")
    return value.strip()


def unauthorized_response(error: Unauthorized) -> JSONResponse:
    return JSONResponse(error_body(error.code, error.message), status_code=401,
                        headers={"WWW-Authenticate": 'Bearer realm="social-missions"'})


async def authenticate_api(request: Request,
                           call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: no valid token, no API (401 before any parameter is read)."""
    if request.url.path.startswith(API_PREFIX + "/") or request.url.path == API_PREFIX:
        try:
            raw = raw_token(request)
            request.state.api_token = await run_in_threadpool(
                verify_token, service_of(request), raw)
        except Unauthorized as error:
            return unauthorized_response(error)
    return await call_next(request)


def current_token(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> ApiToken:
    token = getattr(request.state, "api_token", None)
    if token is None:  # mounted without the middleware: check here
        token = verify_token(service_of(request), raw_token(request))
        request.state.api_token = token
    assert isinstance(token, ApiToken)
    return token


def require_admin(token: Annotated[ApiToken, Depends(current_token)]) -> ApiToken:
    if not token.is_admin:
        raise Forbidden("this route needs an admin token; integrator tokens cannot use it")
    return token


Integrator = Annotated[ApiToken, Depends(current_token)]
Admin = Annotated[ApiToken, Depends(require_admin)]
