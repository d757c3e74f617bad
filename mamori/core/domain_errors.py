"""One way for an HTML view to show a service's refusal: `@domain_errors(...)`.

Services raise their domain's error (a DomainError) with a message safe to show; a view does not
catch it itself. Decorate the view instead:

    @domain_errors(back="console:requests_detail")          # message on the page it came from
    def act(request, request_id): ...

    @domain_errors(not_found=True)                          # "no such thing" -> 404
    def closure_delete(request, closure_id): ...

`back` is a URL name, reversed with the view's own URL arguments (or a callable taking the request
and those arguments); the message is shown with the messages framework after the redirect.
Views that show the error inside a form they re-render (`form.add_error`) keep doing so: that is a
form's error, not a page's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from mamori.core.errors import DomainError

View = TypeVar("View", bound=Callable[..., HttpResponse])


def domain_errors(*, back: str | Callable[..., str] | None = None, not_found: bool = False) -> Callable[[View], View]:
    if (back is None) == (not not_found):
        raise ValueError("give either back= or not_found=True")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                if not_found:
                    raise Http404(str(exc.message)) from exc
                messages.error(request, str(exc.message))
                if callable(back):
                    return redirect(back(request, *args, **kwargs))
                assert back is not None
                return redirect(back, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
