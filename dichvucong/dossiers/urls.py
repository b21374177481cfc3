from django.urls import path

from dichvucong.dossiers import views_form, views_pages

app_name = "dossiers"

# Drafts are addressed by their number (they have no code yet), sent dossiers by their code; both
# resolve through selectors.dossier_for_applicant, which answers 404 for anyone else's dossier.
urlpatterns = [
    path("", views_pages.folders, name="folders"),
    path("nop-ho-so/<str:code>/", views_form.create, name="create"),
    path("tep/<int:file_id>/", views_pages.file_download, name="file"),
    path("ket-qua/<int:document_id>/", views_pages.result_download, name="result"),
    path("<str:ref>/", views_pages.detail, name="detail"),
    path("<str:ref>/sua/", views_form.edit, name="edit"),
    path("<str:ref>/tep-dinh-kem/", views_form.file_add, name="file_add"),
    path("<str:ref>/xem-lai/", views_form.review, name="review"),
    path("<str:ref>/thanh-cong/", views_form.success, name="success"),
    path("<str:ref>/bo-sung/", views_form.supplement, name="supplement"),
    path("<str:ref>/xoa/", views_pages.delete_draft, name="delete"),
    path("<str:ref>/rut/", views_pages.withdraw, name="withdraw"),
    path("<str:ref>/in/", views_pages.print_form, name="print"),
    path("<str:ref>/phieu/<str:kind>/", views_pages.slip, name="slip"),
]
