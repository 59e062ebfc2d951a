from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import mfa
from core.health import healthz

# The admin signs in through our sign-in: the same lockout, the same code step (config/mfa.py).
admin.site.login = mfa.admin_login  # type: ignore[method-assign]

# Each app's urls.py holds all its routes and is included once. The ledger's and
# billing's pages under a customer (customers/<id>/balance/, customers/<id>/billing/)
# are spelled out in their own urls.py; customers' routes all start with customers/.
# "/" is billing's Home page (billing/views/home.py).
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Two-step verification: the code step after the password, and each user's own page.
    path("login/code/", mfa.verify, name="mfa_verify"),
    path("account/two-step/", mfa.two_step, name="two_step"),
    path(
        "account/two-step/recovery-codes/",
        mfa.recovery_codes,
        name="two_step_recovery_codes",
    ),
    path("account/two-step/turn-off/", mfa.disable, name="two_step_disable"),
    # The ledger's first: its customers/new/ (Add customer, with a starting balance)
    # would otherwise be taken by customers' <id>/.
    path("", include("ledger.urls")),
    path("customers/", include("customers.urls")),
    path("activity/", include("activity.urls")),
    path("", include("billing.urls")),
    path("admin/", admin.site.urls),
    # The Stripe-shaped API for other systems: keys, not sessions (api/http.py).
    path("v1/", include("api.urls")),
    # For load balancers and monitors: no sign-in, no customer data (core/health.py).
    path("healthz", healthz, name="healthz"),
]

# A database that does not answer gets the 503 page, not the 500 or 400 one (core/errors.py).
handler500 = "core.errors.uncaught_exception"
handler400 = "core.errors.invalid_request"
