// The API's documentation page: Swagger UI on /api/v1/openapi.json.
window.addEventListener("load", function () {
  var root = document.getElementById("api-docs");
  window.ui = SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    deepLinking: true,
    persistAuthorization: false,
  });
});
