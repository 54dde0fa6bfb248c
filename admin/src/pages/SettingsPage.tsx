import { Box, Typography } from '@strapi/design-system';

export default function SettingsPage() {
  return (
    <Box padding={8}>
      <Typography variant="alpha">WeChat Mini Program Authenticator</Typography>
    </Box>
  );
}
