// Code shape: small files with one concern, short functions (README, "Code shape").
import ts from "typescript";

export const LIMITS = { fileLines: 300, functionLines: 80 };

/** Lines of a text, not counting the empty string after a final newline. */
export function lineCount(text) {
  if (text === "") return 0;
  const n = text.split("\n").length;
  return text.endsWith("\n") ? n - 1 : n;
}

/** A readable name for a function-like node: its own name, or the variable or property it is assigned to. */
function nameOf(node, sf) {
  if (node.name) return node.name.getText(sf);
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return p.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  return "(anonymous)";
}

/**
 * Every function-like node of a TypeScript text: { name, line, lines }, counted from the line its
 * declaration starts on to the line of its closing brace (or its last line, for an arrow with an
 * expression body).
 */
export function functionsOf(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ name: nameOf(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The size problems of one file, as sentences; empty when the file is within the limits. */
export function sizeProblems(file, text, limits = LIMITS) {
  const problems = [];
  const lines = lineCount(text);
  if (lines > limits.fileLines) problems.push(`${file} has ${lines} lines (limit ${limits.fileLines})`);
  for (const f of functionsOf(file, text)) {
    if (f.lines > limits.functionLines) problems.push(`${file}:${f.line} ${f.name} has ${f.lines} lines (limit ${limits.functionLines})`);
  }
  return problems;
}
