/* Khởi động Swagger UI (tài liệu API) từ tệp của chính máy chủ, không dùng mã nội tuyến. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) { return; }
  window.SwaggerUIBundle({url: root.getAttribute("data-url"), dom_id: "#swagger-ui", deepLinking: true});
}());
