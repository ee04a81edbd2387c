<?php
/**
 * Runs WordPress core's personal-data export or erasure for one email address, the way
 * Tools > Export / Erase Personal Data does it in wp-admin.
 *
 * The request is added as that screen adds it without a confirmation email
 * (wp_create_user_request with status "confirmed"). Then, as wp-admin/js/privacy-tools.js
 * does, each registered exporter or eraser is called page by page through the AJAX handlers
 * wp_ajax_wp_privacy_export_personal_data() and wp_ajax_wp_privacy_erase_personal_data(),
 * signed in as the administrator and with the nonce the screen would print, until it answers
 * done. Each call is timed. Usage: php privacy.php export|erase EMAIL
 */

define( 'DOING_AJAX', true );
require __DIR__ . '/wp.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
require_once ABSPATH . 'wp-admin/includes/ajax-actions.php';

/** wp_send_json() ends with wp_die(): stop there instead of ending the process. */
class PK_Ajax_Done extends Exception {
}
add_filter(
	'wp_die_ajax_handler',
	function () {
		return function () {
			throw new PK_Ajax_Done();
		};
	}
);

$pk_action = $argv[1];
$pk_email  = $argv[2];
$pk_kinds  = array(
	'export' => array( 'export_personal_data', 'wp-privacy-export-personal-data', 'exporter', 'wp_privacy_personal_data_exporters' ),
	'erase'  => array( 'remove_personal_data', 'wp-privacy-erase-personal-data', 'eraser', 'wp_privacy_personal_data_erasers' ),
);
list( $pk_request_type, $pk_ajax_action, $pk_index_field, $pk_filter ) = $pk_kinds[ $pk_action ];

wp_set_current_user( (int) pk_env( 'PK_WP_ADMIN_ID', 1 ) );
$pk_request = wp_create_user_request( $pk_email, $pk_request_type, array(), 'confirmed' );
if ( is_wp_error( $pk_request ) ) {
	fwrite( STDERR, $pk_request->get_error_message() . "\n" );
	exit( 1 );
}

$pk_registered = apply_filters( $pk_filter, array() );
$pk_nonce      = wp_create_nonce( $pk_ajax_action . '-' . $pk_request );
$pk_handler    = 'wp_ajax_' . str_replace( '-', '_', $pk_ajax_action );
$pk_tools      = array();
$pk_total      = 0.0;
$pk_last       = null;

foreach ( array_values( array_keys( $pk_registered ) ) as $pk_position => $pk_key ) {
	$pk_tool = array(
		'index' => $pk_position + 1,
		'key'   => $pk_key,
		'name'  => $pk_registered[ $pk_key ][ $pk_index_field . '_friendly_name' ],
		'pages' => array(),
	);
	for ( $pk_page = 1; ; $pk_page++ ) {
		$_POST    = array(
			'action'        => $pk_ajax_action,
			'id'            => (string) $pk_request,
			$pk_index_field => (string) ( $pk_position + 1 ),
			'page'          => (string) $pk_page,
			'security'      => $pk_nonce,
			'sendAsEmail'   => 'false',
		);
		$_REQUEST = $_POST;
		ob_start();
		$pk_started = hrtime( true );
		try {
			$pk_handler();
		} catch ( PK_Ajax_Done $done ) {
			unset( $done );
		}
		$pk_seconds = ( hrtime( true ) - $pk_started ) / 1e9;
		$pk_answer  = json_decode( ob_get_clean(), true );
		$pk_total  += $pk_seconds;
		if ( ! is_array( $pk_answer ) || empty( $pk_answer['success'] ) ) {
			fwrite( STDERR, $pk_key . ' page ' . $pk_page . ': ' . json_encode( $pk_answer ) . "\n" );
			exit( 1 );
		}
		$pk_tool['pages'][] = array(
			'page'    => $pk_page,
			'seconds' => $pk_seconds,
			'answer'  => $pk_answer['data'],
		);
		$pk_last = $pk_answer['data'];
		if ( ! empty( $pk_answer['data']['done'] ) ) {
			break;
		}
	}
	$pk_tools[] = $pk_tool;
}

$pk_file = null;
if ( 'export' === $pk_action ) {
	$pk_name = get_post_meta( $pk_request, '_export_file_name', true );
	$pk_file = $pk_name ? wp_privacy_exports_dir() . $pk_name : null;
}
pk_out(
	array(
		'action'      => $pk_action,
		'email'       => $pk_email,
		'request_id'  => $pk_request,
		'status'      => get_post_status( $pk_request ),
		'tools'       => $pk_tools,
		'seconds'     => $pk_total,
		'export_file' => $pk_file,
		'mail'        => $GLOBALS['pk_mail'],
	)
);
