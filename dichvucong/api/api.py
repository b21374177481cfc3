"""The NinjaAPI instance behind /api/v1/: plumbing only; each app keeps its own endpoints (its api.py)."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from dichvucong.api.errors import install_error_handlers
from dichvucong.api.throttling import ApiRateThrottle
from dichvucong.catalog.api import router as catalog_router
from dichvucong.dossiers.api import citizen_router, lookup_router, officer_router
from dichvucong.payments.api import router as payments_router

DESCRIPTION = """API của Cổng Dịch vụ công: danh mục thủ tục hành chính, tra cứu hồ sơ, hồ sơ của công dân và
hồ sơ của cơ quan cho cán bộ.

**Xác thực**: mã truy cập cá nhân tạo tại /tai-khoan/ma-truy-cap/, gửi trong tiêu đề
`Authorization: Bearer dvc_…`. Mã chỉ cho truy cập dữ liệu của chính chủ tài khoản.

**Lỗi**: mọi lỗi có dạng `{"error": {"code": "...", "message": "...", "fields": {...}}}`; thông báo bằng
tiếng Việt, bằng tiếng Anh khi gửi `Accept-Language: en`.

**Phân trang**: `limit` (1–100, mặc định 20) và `offset`; câu trả lời có `count`.

**Giới hạn**: số yêu cầu mỗi phút theo mã truy cập (hoặc theo địa chỉ khi không có mã); quá giới hạn → 429
với `Retry-After`."""

api = NinjaAPI(
    title="API Cổng Dịch vụ công",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False, "defaultModelsExpandDepth": 0}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=[ApiRateThrottle()],
)
install_error_handlers(api)
api.add_router("/", catalog_router)
api.add_router("/", lookup_router)
api.add_router("/", citizen_router)
api.add_router("/", payments_router)
api.add_router("/officer/", officer_router)
