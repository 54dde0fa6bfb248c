import { Th, Thead, Tr, Typography, VisuallyHidden } from '@strapi/design-system';

/** A table's header row as the admin's lists have it: one titled column per label, then the row actions' column, titled for screen readers only. */
export function TableHead({ labels, actionsLabel }: { labels: string[]; actionsLabel: string }) {
  return (
    <Thead>
      <Tr>
        {labels.map((label) => (
          <Th key={label}>
            <Typography variant="sigma" textColor="neutral600">
              {label}
            </Typography>
          </Th>
        ))}
        <Th>
          <VisuallyHidden>{actionsLabel}</VisuallyHidden>
        </Th>
      </Tr>
    </Thead>
  );
}
