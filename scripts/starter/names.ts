/**
 * Which function a solution block belongs to, for `notImplemented('<function>', '<file>')`.
 *
 * Parses the source with the TypeScript compiler and walks from the block's first line outwards
 * to the innermost *named* function: `name` for a function declaration or a function assigned to
 * a variable or property, `Class.method` for methods and accessors, `new Class` for constructors.
 * Anonymous callbacks (`tf.tidy(() => …)`) are looked through.
 */
import * as ts from 'typescript';

export function enclosingFunctionName(source: ts.SourceFile, lineIndex: number): string | undefined {
  const lineStarts = source.getLineStarts();
  if (lineIndex >= lineStarts.length) return undefined;
  // A position inside the line (after its indentation) so that the line's own node contains it.
  const lineText = source.text.slice(lineStarts[lineIndex], lineStarts[lineIndex + 1] ?? source.text.length);
  const pos = lineStarts[lineIndex] + (lineText.length - lineText.trimStart().length);

  const chain: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (pos < node.getFullStart() || pos >= node.getEnd()) return;
    chain.push(node);
    ts.forEachChild(node, visit);
  };
  visit(source);

  for (let i = chain.length - 1; i >= 0; i--) {
    const name = functionName(chain[i]);
    if (name) return name;
  }
  return undefined;
}

function className(node: ts.Node): string {
  const parent = node.parent;
  if (parent && (ts.isClassDeclaration(parent) || ts.isClassExpression(parent)) && parent.name) return parent.name.text;
  return '';
}

function propertyName(name: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name))
    return name.text;
  return undefined;
}

function functionName(node: ts.Node): string | undefined {
  if (ts.isFunctionDeclaration(node)) return node.name?.text;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const cls = className(node);
    const name = propertyName(node.name);
    if (!name) return undefined;
    return cls ? `${cls}.${name}` : name;
  }
  if (ts.isConstructorDeclaration(node)) {
    const cls = className(node);
    return cls ? `new ${cls}` : 'constructor';
  }
  if (ts.isFunctionExpression(node) || ts.isArrowFunction(node)) {
    if (ts.isFunctionExpression(node) && node.name) return node.name.text;
    const parent = node.parent;
    if (parent && ts.isVariableDeclaration(parent)) return propertyName(parent.name);
    if (parent && ts.isPropertyAssignment(parent)) return propertyName(parent.name);
    if (parent && ts.isPropertyDeclaration(parent)) {
      const cls = className(parent);
      const name = propertyName(parent.name);
      return name && cls ? `${cls}.${name}` : name;
    }
  }
  return undefined;
}
