import { describe, expect, it } from 'vitest';
import {
  parseTemplate,
  renderFailure,
  renderTemplate,
  type StepValues,
} from '../../src/lib/workflows/template';

const steps = (entries: Record<string, StepValues>) => new Map(Object.entries(entries));

describe('workflow templates', () => {
  it('lists the references in order and keeps the text around them', () => {
    const parsed = parseTemplate(
      'Hosts: {{input.hosts}}\nPrevious: {{ steps.scan.result }} / {{steps.scan.output.disks.0.name}}',
    );
    expect(parsed.references).toEqual([
      { kind: 'input', field: 'hosts' },
      { kind: 'result', step: 'scan' },
      { kind: 'output', step: 'scan', path: ['disks', '0', 'name'] },
    ]);
    expect(parsed.errors).toEqual([]);
    expect(parsed.parts[0]).toEqual({ text: 'Hosts: ' });
  });

  it('leaves other double-brace syntax alone and reports malformed references', () => {
    // A GitHub Actions expression and a Helm value, as prompts quote them.
    const source = `run: \${{ secrets.TOKEN }} {{ .Values.x }} {{steps.a}} {{inputs.b}} {{step.a.result}}`;
    const parsed = parseTemplate(source);
    expect(parsed.references).toEqual([]);
    expect(parsed.errors.map((error) => error.tag)).toEqual([
      '{{steps.a}}',
      '{{inputs.b}}',
      '{{step.a.result}}',
    ]);
    // Rendering stays total: the malformed tags come out as written.
    expect(renderTemplate(parsed, { input: {}, steps: new Map() })).toEqual({
      ok: true,
      text: source,
      missing: [],
    });
  });

  it('renders inputs, results and output values; objects and arrays as JSON, numbers as text', () => {
    const parsed = parseTemplate(
      '{{input.env}}|{{steps.a.result}}|{{steps.b.output.title}}|{{steps.b.output.count}}|{{steps.b.output.items}}|{{steps.b.output.items.1.id}}|{{steps.b.output.meta}}',
    );
    const rendered = renderTemplate(parsed, {
      input: { env: 'prod' },
      steps: steps({
        a: { result: 'A said hi', output: null },
        b: {
          result: '{}',
          output: { title: 'T', count: 3, items: [{ id: 'x' }, { id: 'y' }], meta: { ok: true } },
        },
      }),
    });
    expect(rendered).toEqual({
      ok: true,
      text: 'prod|A said hi|T|3|[{"id":"x"},{"id":"y"}]|y|{"ok":true}',
      missing: [],
    });
  });

  it('a value that is not there fails the render, naming each reference, never a crash', () => {
    const parsed = parseTemplate(
      '[{{input.nope}}][{{steps.gone.result}}][{{steps.failed.result}}][{{steps.b.output.x.y}}][{{steps.b.output.items.9}}][{{steps.failed.output.a}}]',
    );
    const rendered = renderTemplate(parsed, {
      input: {},
      steps: steps({
        failed: { result: null, output: null },
        b: { result: 'r', output: { x: 'flat', items: [] } },
      }),
    });
    expect(rendered).toEqual({
      ok: false,
      length: null,
      missing: [
        'input.nope',
        'steps.gone.result',
        'steps.failed.result',
        'steps.b.output.x.y',
        'steps.b.output.items.9',
        'steps.failed.output.a',
      ],
    });
  });

  it('never reaches past own properties: prototype names find nothing', () => {
    const parsed = parseTemplate(
      '{{steps.b.output.constructor}}{{steps.b.output.__proto__}}{{steps.b.output.items.toString}}{{input.constructor}}',
    );
    const rendered = renderTemplate(parsed, {
      input: {},
      steps: steps({ b: { result: 'r', output: { items: [1] } } }),
    });
    expect(rendered).toMatchObject({ ok: false });
    expect(rendered.missing).toHaveLength(4);
  });

  it('a default stands in for a missing value, and is reported as used', () => {
    const parsed = parseTemplate(
      '{{steps.a.output.x | default: "none"}}/{{ steps.a.result|default:"a \\"quoted\\" one" }}/{{steps.b.result | default: ""}}',
    );
    expect(parsed.errors).toEqual([]);
    const rendered = renderTemplate(parsed, {
      input: {},
      steps: steps({ a: { result: null, output: { y: 1 } }, b: { result: 'B', output: null } }),
    });
    expect(rendered).toEqual({
      ok: true,
      text: 'none/a "quoted" one/B',
      missing: ['steps.a.output.x', 'steps.a.result'],
    });
  });

  it('refuses a default that is not a quoted string', () => {
    expect(
      parseTemplate('{{input.x | default: none}} {{input.x | fallback: "a"}}').errors.map((e) => e.message),
    ).toEqual([
      '{{input.x | default: none}} is not a reference: a default is a quoted string: | default: "none"',
      '{{input.x | fallback: "a"}} is not a reference: use {{input.<field>}}, {{steps.<key>.result}} or {{steps.<key>.output.<path>}}',
    ]);
  });

  it('never builds a prompt over the limit: it reports the length it would have', () => {
    const parsed = parseTemplate('{{input.x}}'.repeat(4_500));
    const big = 'y'.repeat(50_000);
    const rendered = renderTemplate(parsed, { input: { x: big }, steps: new Map() }, 50_000);
    expect(rendered).toEqual({ ok: false, missing: [], length: 225_000_000 });
    expect(renderFailure('loud', rendered as Extract<typeof rendered, { ok: false }>, 50_000)).toBe(
      'Step "loud": its prompt would be 225,000,000 characters, over the limit of 50,000',
    );
    expect(renderTemplate(parsed, { input: { x: 'ab' }, steps: new Map() }, 50_000)).toMatchObject({
      ok: true,
      text: 'ab'.repeat(4_500),
    });
  });
});
