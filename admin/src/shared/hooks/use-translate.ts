import { useCallback } from 'react';
import { useIntl } from 'react-intl';
import { getTrad } from '../../utils/get-trad';

export type Translate = (id: string, values?: Record<string, string | number>) => string;

/** This plugin's messages (translations/*.json, unprefixed ids) in the admin's language. */
export function useT(): Translate {
  const { formatMessage } = useIntl();
  return useCallback((id, values) => formatMessage({ id: getTrad(id) }, values), [formatMessage]);
}
