<?php
/**
 * Installs WordPress into an empty database with its own installer: wp_install() from
 * wp-admin/includes/upgrade.php, as wp-admin/install.php calls it.
 */

define( 'WP_INSTALLING', true );
require __DIR__ . '/wp.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$pk_started = hrtime( true );
$pk_result  = wp_install(
	pk_env( 'PK_WP_TITLE' ),
	pk_env( 'PK_WP_ADMIN_LOGIN' ),
	pk_env( 'PK_WP_ADMIN_EMAIL' ),
	false,
	'',
	pk_env( 'PK_WP_ADMIN_PASSWORD' )
);
pk_out(
	array(
		'admin_id' => (int) $pk_result['user_id'],
		'version'  => get_bloginfo( 'version' ),
		'tables'   => array_values( $wpdb->tables( 'all' ) ),
		'seconds'  => ( hrtime( true ) - $pk_started ) / 1e9,
		'mail'     => $GLOBALS['pk_mail'],
	)
);
