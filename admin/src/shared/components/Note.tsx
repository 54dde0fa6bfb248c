import { Box, Flex, Typography } from '@strapi/design-system';
import { Information } from '@strapi/icons';

/** A short explanation in the page's information style. */
export function Note({ children, testId }: { children: React.ReactNode; testId?: string }) {
  return (
    <Box background="primary100" borderColor="primary200" hasRadius padding={4} data-testid={testId}>
      <Flex gap={3} alignItems="flex-start">
        <Box color="primary600" paddingTop={1}>
          <Information aria-hidden width="1rem" height="1rem" />
        </Box>
        <Typography textColor="primary700">{children}</Typography>
      </Flex>
    </Box>
  );
}
