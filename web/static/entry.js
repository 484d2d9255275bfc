/* Nhập số liệu: kiểm tra nhanh ô số khi rời ô (chỉ để nhắc sớm; máy chủ vẫn kiểm tra khi lưu).
   Trang vẫn dùng được đầy đủ khi không có JavaScript. */
(function () {
  "use strict";
  var form = document.getElementById("form-so-lieu");
  if (!form) { return; }

  function parse(text) {
    var t = text.replace(/\s+/g, "").replace(/%$/, "");
    if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(t)) { t = t.replace(/\./g, ""); }
    t = t.replace(",", ".");
    return /^-?\d+(\.\d+)?$/.test(t) ? parseFloat(t) : NaN;
  }

  function problem(input) {
    var kind = input.getAttribute("data-kind");
    var text = input.value.trim();
    if (!text || kind === "date") { return ""; }
    var x = parse(text);
    if (isNaN(x)) { return "Giá trị chưa hợp lệ: «" + text + "» không phải là số (ví dụ 85,5)."; }
    if (kind === "percent" && (x < 0 || x > 100)) { return "Giá trị chưa hợp lệ: tỷ lệ phải từ 0 đến 100."; }
    if ((kind === "count" || kind === "days") && x < 0) { return "Giá trị chưa hợp lệ: không được âm."; }
    if (kind === "count" && x !== Math.floor(x)) { return "Giá trị chưa hợp lệ: phải là số nguyên."; }
    return "";
  }

  function show(input, message) {
    var id = "err-" + input.id.slice(2);  /* the same element the server writes its message into */
    var span = document.getElementById(id);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (!message) {
      if (span) { span.parentNode.removeChild(span); }
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", described.join(" "));
      return;
    }
    if (!span) {
      span = document.createElement("span");
      span.id = id;
      span.className = "field-error";
      span.setAttribute("role", "alert");
      input.parentNode.insertBefore(span, input.nextSibling);
    }
    span.textContent = message;
    input.setAttribute("aria-invalid", "true");
    described.push(id);
    input.setAttribute("aria-describedby", described.join(" "));
  }

  form.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.tagName === "INPUT" && input.hasAttribute("data-kind")) { show(input, problem(input)); }
  });
}());
