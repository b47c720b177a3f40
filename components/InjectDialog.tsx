import { Text } from 'ink';
import type { InjectForm } from '../src/store.js';
import { fit, truncate } from './format.js';
import { Pane } from './Pane.js';
import { usePalette } from './store-context.js';

export interface InjectDialogProps {
  width: number;
  form: InjectForm;
}

const fieldLabels: Array<[InjectForm['field'], string, string]> = [
  ['name', 'task name', 'sleep, cpu, flaky, crash or echo with the demo handlers'],
  ['count', 'count', 'tasks to enqueue'],
  ['payload', 'payload', 'JSON; empty for null'],
];

/** Renders the inject form: task name, count and payload, with the cursor in one field. */
export function InjectDialog({ width, form }: InjectDialogProps) {
  const colors = usePalette();
  const inner = width - 4;
  const valueWidth = Math.max(8, inner - 14);
  return (
    <Pane title="Inject tasks" width={width} height={2 + fieldLabels.length * 2 + 2} active>
      {fieldLabels.map(([field, label, help]) => {
        const focused = form.field === field;
        const value = form[field];
        const shown = value.length + 1 > valueWidth ? `…${value.slice(value.length + 2 - valueWidth)}` : value;
        return (
          <Text key={field} wrap="truncate-end">
            <Text bold={focused} color={focused ? colors.accent : undefined}>{`${focused ? '›' : ' '} ${fit(label, 10)} `}</Text>
            <Text inverse={focused}>{fit(`${shown}${focused ? '▏' : ''}`, valueWidth)}</Text>
            {'\n'}
            <Text color={colors.muted}>{truncate(`             ${help}`, inner)}</Text>
          </Text>
        );
      })}
      <Text> </Text>
      <Text color={form.error ? colors.error : colors.muted} wrap="truncate-end">
        {truncate(form.error ?? 'Enter injects, Esc cancels', inner)}
      </Text>
    </Pane>
  );
}
