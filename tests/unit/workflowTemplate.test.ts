import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, type StepValues } from '../../src/lib/workflows/template';

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
    expect(renderTemplate(parsed, { input: {}, steps: new Map() }).text).toBe(source);
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
      text: 'prod|A said hi|T|3|[{"id":"x"},{"id":"y"}]|y|{"ok":true}',
      missing: [],
    });
  });

  it('a missing value renders empty and is reported, never a crash', () => {
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
      text: '[][][][][][]',
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
    expect(rendered.text).toBe('');
    expect(rendered.missing).toHaveLength(4);
  });
});
