// GOV.UK Frontend's page template runs this inline; it is a file here so that the
// Content-Security-Policy can allow scripts from 'self' only. A classic script at the top
// of <body>, so the classes are there before the page is drawn (no flash of the no-JS look).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
