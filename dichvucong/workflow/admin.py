"""The process editor: an administrator writes a procedure's steps as data, then puts them in force."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dichvucong.catalog.admin import DraftOnlyInline
from dichvucong.catalog.constants import VersionStatus
from dichvucong.core.errors import ApplicationError
from dichvucong.workflow.constants import StepAction
from dichvucong.workflow.models import ProcessDefinition, ProcessStep
from dichvucong.workflow.services import process_new_version, process_publish


class ProcessStepForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(
        label=_("thao tác được phép"), choices=StepAction.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ProcessStep
        fields = ("order", "name", "role", "unit", "officer", "allotted_hours", "actions")


class ProcessStepInline(DraftOnlyInline, admin.StackedInline):
    model = ProcessStep
    form = ProcessStepForm
    extra = 0
    fields = (("order", "name"), ("role", "unit", "officer"), "allotted_hours", "actions")
    autocomplete_fields = ("unit",)
    raw_id_fields = ("officer",)


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    """A process in force is frozen (dossiers were received under it): edit a new version instead."""

    list_display = ("procedure", "agency", "number", "name", "status", "is_default", "published_at")
    list_filter = ("status", "is_default")
    search_fields = ("procedure__code", "name", "agency__name")
    list_select_related = ("procedure", "agency")
    autocomplete_fields = ("procedure", "agency")
    inlines = (ProcessStepInline,)
    actions = ("new_version", "publish")

    def get_readonly_fields(self, request: HttpRequest, obj: ProcessDefinition | None = None) -> Any:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return ("procedure", "agency", "number", "name", "status", "published_at", "is_default")
        if obj is not None:
            return ("procedure", "agency", "number", "status", "published_at", "is_default")
        return ("number", "status", "published_at", "is_default")

    def save_model(self, request: HttpRequest, obj: ProcessDefinition, form: Any, change: bool) -> None:
        if not change:
            last = ProcessDefinition.objects.filter(procedure=obj.procedure, agency=obj.agency).order_by("-number")
            obj.number = (last.values_list("number", flat=True).first() or 0) + 1
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: ProcessDefinition | None = None) -> bool:
        return obj is None or obj.status == VersionStatus.DRAFT

    @admin.action(description=_("Tạo phiên bản mới (bản nháp) để sửa"))
    def new_version(self, request: HttpRequest, queryset: QuerySet[ProcessDefinition]) -> None:
        for process in queryset:
            draft = process_new_version(process=process)
            self.message_user(request, _("Đã tạo bản nháp %(p)s.") % {"p": draft}, messages.SUCCESS)

    @admin.action(description=_("Áp dụng quy trình nháp đã chọn"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcessDefinition]) -> None:
        for process in queryset:
            try:
                process_publish(process=process)
            except ApplicationError as error:
                self.message_user(request, f"{process}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("Đã áp dụng %(p)s.") % {"p": process}, messages.SUCCESS)
