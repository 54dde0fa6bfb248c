import type { ReactNode } from 'react';
import { Box, Flex, Typography } from '@strapi/design-system';
import { useKit } from '../kit';

/** A white section of the page with its title. */
export function Card({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) {
  const { Heading } = useKit();
  return (
    <Box background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7} data-testid={testId}>
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Heading>{title}</Heading>
        {children}
      </Flex>
    </Box>
  );
}

/** The label of one value in a card. */
export function Term({ children }: { children: ReactNode }) {
  return (
    <Typography variant="sigma" textColor="neutral600">
      {children}
    </Typography>
  );
}
