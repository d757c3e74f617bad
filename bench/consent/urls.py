"""mamori's URLs plus `POST /bench/bare`: a trivial view returning 204 (the baseline)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from mamori.urls import urlpatterns as mamori_urlpatterns


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


urlpatterns = [path("bench/bare", bare), *mamori_urlpatterns]
