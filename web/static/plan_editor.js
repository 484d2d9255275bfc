/* Trình soạn kế hoạch: gửi biểu mẫu để máy chủ kiểm tra (cùng bộ kiểm tra khi lưu) mỗi khi gõ,
   rồi hiện lỗi cạnh từng ô và tổng điểm của từng cấp. Không có JavaScript, nút «Kiểm tra,
   xem trước» vẫn làm đúng việc đó. */
(function () {
  "use strict";
  var form = document.getElementById("soan-ke-hoach");
  if (!form || !window.fetch) { return; }
  var timer = null;
  var asked = 0;

  function show(problems, totals) {
    var spans = form.querySelectorAll(".field-error");
    for (var i = 0; i < spans.length; i++) {
      var name = spans[i].id.slice(4);
      var message = problems[name] || "";
      spans[i].textContent = message;
      var input = document.getElementById(name);
      if (input) {
        if (message) { input.setAttribute("aria-invalid", "true"); }
        else { input.removeAttribute("aria-invalid"); }
      }
    }
    var count = Object.keys(problems).length;
    var summary = document.getElementById("tom-tat-loi");
    summary.textContent = count ? "Còn " + count + " lỗi; sửa các ô được đánh dấu." : "Chưa thấy lỗi nào.";
    summary.className = count ? "error-box" : "notice";
    var list = document.getElementById("tong-diem");
    if (list) {
      list.textContent = "";
      Object.keys(totals).forEach(function (level) {
        var item = document.createElement("li");
        item.id = "tong-" + level;
        item.textContent = "Cấp " + level + ": tổng điểm tối đa các tiêu chí " + totals[level];
        list.appendChild(item);
      });
    }
  }

  function check() {
    var mine = ++asked;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-check"), {method: "POST", body: body, credentials: "same-origin",
      headers: {"Accept": "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (found) { if (found && mine === asked) { show(found.problems, found.totals); } })
      .catch(function () { /* the button still checks on the server */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 100);
  });
}());
