import { describe, expect, it } from 'vitest';
import {
  errorsFromIssues,
  parseToolList,
  toAgentInput,
  valuesFromAgent,
} from '../../src/components/features/agents/agentFormModel';
import { createAgentSchema } from '../../src/lib/contracts/agents';

const filled = {
  ...valuesFromAgent(),
  name: 'Nightly report',
  model: 'claude-sonnet-4-5',
  defaultPrompt: 'Report',
};

describe('agent form model', () => {
  it('splits tools on commas and newlines and drops blanks', () => {
    expect(parseToolList('Bash, Read\n\nBash(git status:*) ,')).toEqual([
      'Bash',
      'Read',
      'Bash(git status:*)',
    ]);
  });

  it('turns the inputs into a body the shared schema accepts, empty directory as null', () => {
    const input = toAgentInput({ ...filled, allowedTools: 'Bash, Read', workingDirectory: '  ' });
    const parsed = createAgentSchema.parse(input);
    expect(parsed).toMatchObject({ allowedTools: ['Bash', 'Read'], workingDirectory: null, maxTurns: 10 });
  });

  it.each([
    ['maxTurns', '0', 'At least 1'],
    ['maxTurns', '2.5', 'Must be a whole number'],
    ['timeoutSeconds', '5', 'At least 10 seconds'],
    ['workingDirectory', 'relative/dir', 'Must be an absolute path'],
    ['name', '   ', 'Name is required'],
  ] as const)('puts the schema error for %s=%j beside that field', (field, value, message) => {
    const values = { ...filled, [field]: value };
    const result = createAgentSchema.safeParse(toAgentInput(values));
    expect(result.success).toBe(false);
    const errors = result.success ? {} : errorsFromIssues(result.error.issues, values);
    expect(errors[field]).toBe(message);
  });

  it('names the bad tool in a list', () => {
    const values = { ...filled, allowedTools: 'Bash\nnot a tool' };
    const result = createAgentSchema.safeParse(toAgentInput(values));
    const errors = result.success ? {} : errorsFromIssues(result.error.issues, values);
    expect(errors.allowedTools).toMatch(/^not a tool: /);
  });

  it('sends required labels as a list, and names the bad one beside the field', () => {
    expect(
      createAgentSchema.parse(toAgentInput({ ...filled, requiredLabels: ' gpu, repo-a ,' })),
    ).toMatchObject({
      requiredLabels: ['gpu', 'repo-a'],
    });
    const values = { ...filled, requiredLabels: 'gpu, repo a' };
    const result = createAgentSchema.safeParse(toAgentInput(values));
    const errors = result.success ? {} : errorsFromIssues(result.error.issues, values);
    expect(errors.requiredLabels).toBe('repo a: No spaces or commas in a label');
  });

  it('maps the API issue paths (dotted strings) the same way, and unknown paths to the form', () => {
    const errors = errorsFromIssues(
      [
        { path: 'name', message: 'An agent with this name exists' },
        { path: 'allowedTools.0', message: 'bad' },
        { path: '(root)', message: 'Body must be an object' },
      ],
      { ...filled, allowedTools: 'Nope' },
    );
    expect(errors).toEqual({
      name: 'An agent with this name exists',
      allowedTools: 'Nope: bad',
      form: 'Body must be an object',
    });
  });
});
