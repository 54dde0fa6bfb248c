import { Alert } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import type { CheckResult } from '../api/settings';
import { getTrad } from '../../utils/get-trad';

const UNREACHABLE = new Set(['timeout', 'network', 'bad_response']);

/** The verdict of "Test credentials", in the admin's language. */
export function TestResult({ result, onClose }: { result: CheckResult; onClose: () => void }) {
  const { formatMessage } = useIntl();
  const closeLabel = formatMessage({ id: getTrad('test.close') });
  if (result.ok) {
    return (
      <Alert
        variant="success"
        closeLabel={closeLabel}
        onClose={onClose}
        title={formatMessage({ id: getTrad('test.success.title') })}
        data-testid="wechat-test-result"
      >
        {formatMessage({ id: getTrad('test.success') }, { appId: result.appId })}
      </Alert>
    );
  }
  const title = UNREACHABLE.has(result.reason) ? 'test.unreachable.title' : 'test.refused.title';
  return (
    <Alert variant="danger" closeLabel={closeLabel} onClose={onClose} title={formatMessage({ id: getTrad(title) })} data-testid="wechat-test-result">
      {formatMessage({ id: getTrad(`test.reason.${result.reason}`), defaultMessage: result.message }, { appId: result.appId, errcode: result.errcode ?? '' })}
    </Alert>
  );
}
