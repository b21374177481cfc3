"""Accounts in the admin: every account for system administrators, officers for agency administrators.

An agency administrator (quản trị đơn vị, a staff account) manages the officers of their own
agency and nobody else: the lists are filtered with `restrict_to_agency`, the agency and unit
choices are theirs only, another agency's officer answers 404 (as if it did not exist), and the
roles and flags that would raise someone above an agency administrator cannot be given.
System administrators see and change everything.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import password_validation
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UsernameField
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dichvucong.accounts import two_factor
from dichvucong.accounts.constants import AccountKind, OfficerRole
from dichvucong.accounts.models import OfficerProfile, OfficerRoleAssignment, User
from dichvucong.accounts.validators import normalize_phone, validate_national_id, validate_tax_code
from dichvucong.agencies.models import Agency, Unit
from dichvucong.core.permissions import (
    can_manage_officers,
    has_role,
    is_system_admin,
    officer_agency_id,
    restrict_to_agency,
)

# Roles that reach the admin: their holders get staff status, and lose it with the role.
_ADMIN_ROLES = frozenset({OfficerRole.AGENCY_ADMIN, OfficerRole.SYSTEM_ADMIN})


def _may_manage_profile(user: Any, profile: OfficerProfile | None) -> bool:
    """System admins: everyone. Agency admins: their agency's officers, except system admins."""
    if is_system_admin(user):
        return True
    if profile is None:
        return has_role(user, OfficerRole.AGENCY_ADMIN)
    return can_manage_officers(user, profile.agency_id) and not is_system_admin(profile.user)


def _may_manage_account(user: Any, account: User | None) -> bool:
    if account is None or is_system_admin(user):
        return _may_manage_profile(user, None)
    try:
        profile = account.officer_profile
    except ObjectDoesNotExist:
        return False  # citizens' and enterprises' accounts are the system administrators' alone
    return _may_manage_profile(user, profile)


def _allowed_roles(user: Any) -> list[tuple[str, str]]:
    # Only a system administrator can make another one.
    if is_system_admin(user):
        return list(OfficerRole.choices)
    return [(value, label) for value, label in OfficerRole.choices if value != OfficerRole.SYSTEM_ADMIN]


def _sync_staff_status(account: User) -> None:
    roles = set(OfficerRoleAssignment.objects.filter(profile__user=account).values_list("role", flat=True))
    should_be_staff = account.is_superuser or bool(roles & _ADMIN_ROLES)
    if account.is_staff != should_be_staff:
        account.is_staff = should_be_staff
        account.save(update_fields=["is_staff"])


def _clean_unit(form: forms.Form) -> None:
    agency, unit = form.cleaned_data.get("agency"), form.cleaned_data.get("unit")
    if agency and unit and unit.agency_id != agency.pk:
        form.add_error("unit", _("Đơn vị này không thuộc cơ quan đã chọn."))


class _NotFoundForOthersMixin:
    """A row outside the user's queryset (another agency's) answers 404, like a missing one.

    The admin would otherwise redirect with "… does not exist"; a 404 says the same to everyone,
    whether the row exists elsewhere or not at all. (A row of one's own agency that one may not
    change, a system administrator's, still answers 403: its existence is no secret there.)
    """

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None:
            raise Http404
        return obj


# --- Accounts -------------------------------------------------------------------------------


class AccountChangeForm(UserChangeForm):
    """Identity fields checked with the same rules as registration, stored normalised."""

    def clean_phone(self) -> str | None:
        phone = self.cleaned_data.get("phone")
        return normalize_phone(phone) if phone else None

    def clean_national_id(self) -> str | None:
        value = self.cleaned_data.get("national_id")
        return validate_national_id(value) if value else None

    def clean_tax_code(self) -> str | None:
        value = self.cleaned_data.get("tax_code")
        return validate_tax_code(value) if value else None


@admin.register(User)
class UserAdmin(_NotFoundForOthersMixin, BaseUserAdmin):
    form = AccountChangeForm
    list_display = ("username", "full_name", "kind", "national_id", "tax_code", "phone", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "full_name", "email", "national_id", "tax_code", "phone")
    fieldsets = (
        (None, {"fields": ("username", "password", "kind")}),
        (
            gettext_lazy("Thông tin định danh"),
            {
                "fields": (
                    "full_name",
                    "national_id",
                    "tax_code",
                    "date_of_birth",
                    "sex",
                    "representative_name",
                    "representative_national_id",
                )
            },
        ),
        (gettext_lazy("Liên hệ"), {"fields": ("phone", "email", "language")}),
        (gettext_lazy("Địa chỉ"), {"fields": ("province_code", "ward_code", "street_address")}),
        (gettext_lazy("Xác thực"), {"fields": ("phone_verified_at", "email_verified_at")}),
        (
            gettext_lazy("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (gettext_lazy("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "kind", "full_name", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    # What would lift an account above an agency administrator, or change what it is.
    _PRIVILEGE_FIELDS = ("username", "kind", "is_staff", "is_superuser", "groups", "user_permissions")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if is_system_admin(request.user):
            return queryset
        return restrict_to_agency(queryset, request.user, field="officer_profile__agency").exclude(
            models.Q(is_superuser=True) | models.Q(officer_profile__role_assignments__role=OfficerRole.SYSTEM_ADMIN)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if is_system_admin(request.user):
            return readonly
        return (*readonly, *self._PRIVILEGE_FIELDS, "last_login", "date_joined")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage_account(request.user, None)

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _may_manage_account(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _may_manage_account(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Agency administrators add officers with "Thêm cán bộ", which also makes the profile.
        return is_system_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # An officer who leaves is deactivated, so the history of what they did keeps its author.
        return is_system_admin(request.user)


# --- Officers -------------------------------------------------------------------------------


class RoleInlineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("role")
        ]
        if len(roles) != len(set(roles)):
            raise ValidationError(_("Mỗi vai trò chỉ cần gán một lần."))


class OfficerRoleInline(admin.TabularInline):
    model = OfficerRoleAssignment
    formset = RoleInlineFormSet
    extra = 0
    min_num = 0
    verbose_name = gettext_lazy("vai trò")
    verbose_name_plural = gettext_lazy("vai trò")

    def formfield_for_choice_field(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            kwargs["choices"] = [("", "---------"), *_allowed_roles(request.user)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_view_permission(self, request: HttpRequest, obj: OfficerProfile | None = None) -> bool:
        return _may_manage_profile(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj: OfficerProfile | None = None) -> bool:
        return _may_manage_profile(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: OfficerProfile | None = None) -> bool:
        return _may_manage_profile(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: OfficerProfile | None = None) -> bool:
        return _may_manage_profile(request.user, obj)


class OfficerProfileForm(forms.ModelForm):
    class Meta:
        model = OfficerProfile
        fields = ("agency", "unit", "position", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _clean_unit(self)
        return cleaned


class OfficerCreationForm(forms.ModelForm):
    """ "Thêm cán bộ": the account, its officer profile and its roles in one step.

    Officers never register themselves; the account is made here with a first password that
    the officer changes, and the authenticator is set up at their first login.
    """

    allow_system_admin_role = False  # set per request by OfficerProfileAdmin.get_form

    username = UsernameField(label=gettext_lazy("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=255)
    email = forms.EmailField(label=gettext_lazy("Thư điện tử công vụ"), required=False)
    phone = forms.CharField(label=gettext_lazy("Số điện thoại di động"), max_length=20, required=False)
    national_id = forms.CharField(label=gettext_lazy("Số CCCD"), max_length=12, required=False)
    password1 = forms.CharField(
        label=gettext_lazy("Mật khẩu ban đầu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Vai trò"),
        choices=OfficerRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = OfficerProfile
        fields = ("agency", "unit", "position")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.allow_system_admin_role:
            self.fields["roles"].choices = [
                choice for choice in OfficerRole.choices if choice[0] != OfficerRole.SYSTEM_ADMIN
            ]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Tên đăng nhập này đã được dùng."))
        return username

    def clean_phone(self) -> str | None:
        raw = self.cleaned_data.get("phone")
        if not raw:
            return None
        phone = normalize_phone(raw)
        if User.objects.filter(phone=phone).exists():
            raise ValidationError(_("Số điện thoại này đã gắn với một tài khoản khác."))
        return phone

    def clean_national_id(self) -> str | None:
        raw = self.cleaned_data.get("national_id")
        if not raw:
            return None
        national_id = validate_national_id(raw)
        if User.objects.filter(national_id=national_id).exists():
            raise ValidationError(_("Số CCCD này đã gắn với một tài khoản khác."))
        return national_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _clean_unit(self)
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        elif password2:
            try:
                password_validation.validate_password(password2, self._account(commit=False))
            except ValidationError as error:
                self.add_error("password2", error)
        return cleaned

    def _account(self, *, commit: bool) -> User:
        data = self.cleaned_data
        account = User(
            username=data.get("username") or "",
            full_name=data.get("full_name") or "",
            email=(data.get("email") or "").lower(),
            phone=data.get("phone"),
            national_id=data.get("national_id"),
            kind=AccountKind.OFFICER,
            is_staff=bool(_ADMIN_ROLES & set(data.get("roles") or ())),
        )
        if commit:
            account.set_password(data["password1"])
            account.save()
        return account

    @transaction.atomic
    def create_officer(self, profile: OfficerProfile) -> OfficerProfile:
        """Save the account, then `profile` (the form's unsaved instance), then the roles."""
        profile.user = self._account(commit=True)
        profile.save()
        OfficerRoleAssignment.objects.bulk_create(
            OfficerRoleAssignment(profile=profile, role=role) for role in self.cleaned_data["roles"]
        )
        return profile


@admin.register(OfficerProfile)
class OfficerProfileAdmin(_NotFoundForOthersMixin, admin.ModelAdmin):
    form = OfficerProfileForm
    add_form = OfficerCreationForm
    inlines = (OfficerRoleInline,)
    list_display = ("username", "full_name", "agency", "unit", "position", "roles", "is_active")
    list_filter = (
        "is_active",
        ("agency", admin.RelatedOnlyFieldListFilter),
        ("unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("user__username", "user__full_name", "user__phone", "user__email", "position")
    list_select_related = ("user", "agency", "unit")
    ordering = ("agency__code", "user__username")
    readonly_fields = ("user",)
    fieldsets = ((None, {"fields": ("user", "agency", "unit", "position", "is_active")}),)
    add_fieldsets = (
        (
            gettext_lazy("Tài khoản"),
            {"fields": ("username", "full_name", "email", "phone", "national_id", "password1", "password2")},
        ),
        (gettext_lazy("Công tác"), {"fields": ("agency", "unit", "position", "roles")}),
    )
    actions = ("reset_two_factor",)

    # -- scope

    def get_queryset(self, request: HttpRequest) -> QuerySet[OfficerProfile]:
        queryset = super().get_queryset(request).prefetch_related("role_assignments")
        return restrict_to_agency(queryset, request.user)

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        if not is_system_admin(request.user):
            own = officer_agency_id(request.user)
            if db_field.name == "agency":
                kwargs["queryset"] = Agency.objects.filter(pk=own)
                kwargs["initial"] = own
            elif db_field.name == "unit":
                kwargs["queryset"] = Unit.objects.filter(agency_id=own)
        elif db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.select_related("agency").order_by("agency__code", "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage_profile(request.user, None)

    def has_view_permission(self, request: HttpRequest, obj: OfficerProfile | None = None) -> bool:
        return _may_manage_profile(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage_profile(request.user, None)

    def has_change_permission(self, request: HttpRequest, obj: OfficerProfile | None = None) -> bool:
        return _may_manage_profile(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: OfficerProfile | None = None) -> bool:
        return _may_manage_profile(request.user, obj)

    # -- the "Thêm cán bộ" form

    def get_fieldsets(self, request: HttpRequest, obj: OfficerProfile | None = None) -> Any:
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: OfficerProfile | None = None) -> Any:
        return () if obj is None else super().get_readonly_fields(request, obj)

    def get_inlines(self, request: HttpRequest, obj: OfficerProfile | None) -> Any:
        return () if obj is None else super().get_inlines(request, obj)

    def get_form(
        self, request: HttpRequest, obj: OfficerProfile | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = type(
                "OfficerCreationFormForRequest",
                (self.add_form,),
                {"allow_system_admin_role": is_system_admin(request.user)},
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "title": _("Thêm cán bộ")}
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: OfficerProfile, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            form.create_officer(obj)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        _sync_staff_status(form.instance.user)

    def delete_model(self, request: HttpRequest, obj: OfficerProfile) -> None:
        super().delete_model(request, obj)
        _sync_staff_status(obj.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[OfficerProfile]) -> None:
        accounts = [profile.user for profile in queryset.select_related("user")]
        super().delete_queryset(request, queryset)
        for account in accounts:
            _sync_staff_status(account)

    # -- list columns

    @admin.display(description=gettext_lazy("tên đăng nhập"), ordering="user__username")
    def username(self, obj: OfficerProfile) -> str:
        return obj.user.get_username()

    @admin.display(description=gettext_lazy("họ và tên"), ordering="user__full_name")
    def full_name(self, obj: OfficerProfile) -> str:
        return obj.user.full_name

    @admin.display(description=gettext_lazy("vai trò"))
    def roles(self, obj: OfficerProfile) -> str:
        return ", ".join(str(assignment) for assignment in obj.role_assignments.all())

    # -- actions

    @admin.action(description=gettext_lazy("Đặt lại xác thực hai lớp (cán bộ mất điện thoại)"), permissions=["change"])
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[OfficerProfile]) -> None:
        count = 0
        for profile in queryset.select_related("user"):
            if self.has_change_permission(request, profile):
                two_factor.reset_devices(user=profile.user)
                count += 1
        self.message_user(
            request,
            ngettext(
                "Đã đặt lại xác thực hai lớp cho %(count)d cán bộ; lần đăng nhập tới họ sẽ cài đặt lại.",
                "Đã đặt lại xác thực hai lớp cho %(count)d cán bộ; lần đăng nhập tới họ sẽ cài đặt lại.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
