import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import CodeMirror from '@uiw/react-codemirror';
import { useMemo } from 'react';
import { styleNonce } from '../lib/csp.js';

type Props = {
  value: string;
  onChange(value: string): void;
  /** The id of the element that names the editor (its heading). */
  labelledBy: string;
  describedBy?: string;
  readOnly?: boolean;
};

/**
 * A JSON editor with syntax highlighting and syntax errors marked as you type. Tab leaves
 * the editor (keyboard users must be able to move on), so indent with the editor's own
 * auto-indent on Enter.
 */
export function JsonEditor({ value, onChange, labelledBy, describedBy, readOnly }: Props) {
  const extensions = useMemo(
    () => [
      EditorView.cspNonce.of(styleNonce() ?? ''),
      json(),
      linter(jsonParseLinter(), { delay: 250 }),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        'aria-labelledby': labelledBy,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        'aria-multiline': 'true',
      }),
    ],
    [labelledBy, describedBy],
  );
  return (
    <CodeMirror
      value={value}
      onChange={onChange}
      extensions={extensions}
      readOnly={readOnly ?? false}
      editable={!readOnly}
      indentWithTab={false}
      basicSetup={{ foldGutter: false, highlightActiveLine: !readOnly, autocompletion: false }}
      minHeight="8rem"
      maxHeight="24rem"
      className="json-editor"
    />
  );
}
