// Starts GOV.UK Frontend's components (error summary focus, password reveal, service
// navigation menu ...). A module file rather than an inline script, so a strict
// Content-Security-Policy can allow scripts from 'self' only.
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();
